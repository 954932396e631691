package dev.weft.ifc;

import dev.weft.scheduler.FiberKilledException;
import dev.weft.scheduler.Weft;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counting semaphore for fibers, with Go's two modes (sync.Mutex, 2016):
 * <ul>
 * <li><b>Normal (barging) mode.</b> A release puts its permit back and wakes the longest
 *     waiter, which competes for it with newcomers; a newcomer on a warm carrier usually
 *     wins, so a busy fiber takes and releases many times per context switch. At most one
 *     waiter is woken at a time ({@code wakePending}); while it has not retried, releases
 *     do not touch the monitor. A woken waiter that wins wakes the next one if permits are
 *     still free.</li>
 * <li><b>Hand-off (starvation) mode.</b> When a woken waiter loses and has waited longer
 *     than {@value #STARVATION_NANOS} ns, releases hand their permit straight to the head
 *     of the queue (FIFO), which wakes already holding it. The mode ends when a waiter
 *     that had waited less than that is served, or the queue empties.</li>
 * </ul>
 * Waiters queue FIFO and are woken or served in that order; a newcomer that finds a
 * permit free takes it even past queued waiters, but only in normal mode, so no waiter
 * loses for longer than about the starvation threshold.
 *
 * <p>Works from any thread; fibers wait through their wakeup word (and {@link
 * dev.weft.scheduler.Fiber#kill() kill} ends their wait), other threads park.
 *
 * <p>Lost-wakeup rules, each a Dekker pair:
 * <pre>
 *  acquirer                                   releaser
 *  1. under the monitor: enqueue (size++)     1. permits++ (CAS)
 *  2. under the monitor: grant free permits   2. read size; if non-zero, under the monitor
 *     to queued waiters, in order                wake the head unless it is already woken
 *
 *  woken waiter                               releaser
 *  1. wakePending = false                     1. permits++
 *  2. try to take a permit again              2. read wakePending; if clear, under the
 *                                                monitor wake the head
 * </pre>
 * In each pair one side sees the other's first step. A woken waiter that wins leaves the
 * queue and, if permits are still free, wakes the new head, so several releases that met
 * one woken head do not strand the next waiter.
 */
public final class FiberSemaphore {
    /** How long a waiter may lose to newcomers before releases hand permits over directly. */
    static final long STARVATION_NANOS = 1_000_000;

    private volatile int permits;                       // CAS (PERMITS)
    private final WaitQueue queue = new WaitQueue();     // its monitor guards the list, grants and wakes
    private volatile boolean handOffMode;                // set by a starving waiter, cleared under the monitor
    /**
     * A waiter was woken to compete and has not retried yet (Go's mutexWoken). Set under the
     * monitor by the waker; cleared by that waiter before its retry, or under the monitor when
     * it leaves the queue otherwise. While set, releases skip the monitor: the pending waiter's
     * retry will see their permits (the second Dekker pair).
     */
    private volatile boolean wakePending;

    /**
     * @param permits the initial number of permits
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public FiberSemaphore(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be >= 0, got " + permits);
        }
        this.permits = permits;
    }

    /** Takes a permit if one is free now. Never waits. */
    public boolean tryAcquire() {
        for (;;) {
            int p = permits;
            if (p == 0) {
                return false;
            }
            if (PERMITS.compareAndSet(this, p, p - 1)) {
                return true;
            }
        }
    }

    /**
     * Takes a permit, waiting in FIFO order if none is free. Interrupts do not end the
     * wait (the status is kept).
     *
     * @throws FiberKilledException if the calling fiber is killed while waiting
     */
    public void acquire() {
        if (acquire(false, true, Long.MAX_VALUE) != Waiter.GRANTED) {
            throw new AssertionError("uninterruptible acquire ended without a permit");
        }
    }

    /**
     * Like {@link #acquire()}, but an interrupt ends the wait.
     *
     * @throws InterruptedException if interrupted before or while waiting (status cleared)
     * @throws FiberKilledException if the calling fiber is killed while waiting
     */
    public void acquireInterruptibly() throws InterruptedException {
        if (Thread.interrupted() || acquire(true, true, Long.MAX_VALUE) != Waiter.GRANTED) {
            Thread.interrupted();             // InterruptedException clears the status, as the JDK's do
            throw new InterruptedException();
        }
    }

    /**
     * Takes a permit, waiting at most {@code timeout} (FIFO, as {@link #acquire()}); zero or
     * negative only tries. On a fiber the deadline is served by Weft's timer fiber
     * (weft-timers on the class path), not by the JDK's timed park.
     *
     * @return true if a permit was taken, false if the time ran out first
     * @throws InterruptedException if interrupted before or while waiting (status cleared)
     * @throws FiberKilledException if the calling fiber is killed while waiting
     */
    public boolean tryAcquire(java.time.Duration timeout) throws InterruptedException {
        long deadline = Weft.deadlineAfter(timeout);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (tryAcquire()) {
            return true;
        }
        if (deadline - System.nanoTime() <= 0) {
            return false;
        }
        int outcome = acquire(true, true, deadline);
        if (outcome == Waiter.INTERRUPTED) {
            Thread.interrupted();
            throw new InterruptedException();
        }
        return outcome == Waiter.GRANTED;
    }

    /** Takes a permit whatever happens: neither kill nor interrupt ends the wait (a condition's re-lock). */
    void acquireUnkillably() {
        if (acquire(false, false, Long.MAX_VALUE) != Waiter.GRANTED) {
            throw new AssertionError("unkillable acquire ended without a permit");
        }
    }

    /**
     * Returns a permit: in hand-off mode straight to the longest waiter; otherwise to the
     * pool, waking the longest waiter to compete for it.
     */
    public void release() {
        if (handOffMode && queue.size() != 0 && handOff()) {
            return;
        }
        PERMITS.getAndAdd(this, 1);
        if (queue.size() != 0 && !wakePending) {
            synchronized (queue) {
                wakeHead();
            }
        }
    }

    /** Free permits now. */
    public int availablePermits() {
        return permits;
    }

    /** Waiters queued now. */
    public int queueLength() {
        return queue.size();
    }

    /** GRANTED if a permit was taken; INTERRUPTED (interruptible only) or TIMED_OUT if not. */
    private int acquire(boolean interruptible, boolean killable, long deadline) {
        if (!handOffMode && tryAcquire()) {
            return Waiter.GRANTED;        // normal mode: barge, even past queued waiters
        }
        Waiter w = Waiter.mine();
        w.since = System.nanoTime();
        synchronized (queue) {
            queue.enqueue(w);
            grantFreePermits();
        }
        for (;;) {
            int outcome = w.granted ? Waiter.GRANTED : w.await(interruptible, killable, deadline);
            if (outcome == Waiter.GRANTED) {
                return Waiter.GRANTED;
            }
            if (outcome == Waiter.WOKEN) {
                if (compete(w)) {
                    return Waiter.GRANTED;
                }
                continue;
            }
            if (!withdraw(w)) {
                return Waiter.GRANTED;    // granted while being killed, interrupted or timed out: it holds the permit
            }
            if (outcome == Waiter.KILLED) {
                throw new FiberKilledException("killed while waiting for a permit of " + this);
            }
            return outcome;
        }
    }

    /** A woken waiter tries for the free permit; true if it now holds one. */
    private boolean compete(Waiter w) {
        w.woken = false;                  // both before the retry: see the second Dekker pair
        wakePending = false;
        if (tryAcquire()) {
            synchronized (queue) {
                clearWake(w);                     // a release may have woken us again meanwhile
                if (w.granted) {
                    PERMITS.getAndAdd(this, 1);   // a hand-off reached us too: give one back
                } else {
                    queue.remove(w);
                }
                wakeHead();                       // permits may still be free for the next one
            }
            return true;
        }
        if (System.nanoTime() - w.since > STARVATION_NANOS) {
            handOffMode = true;
        }
        return w.granted;                 // a hand-off may have landed meanwhile
    }

    /**
     * Takes {@code w} out of the queue unless a grant got there first. A withdrawn waiter may
     * have been the woken head a free permit was meant for: the new head is woken instead.
     */
    private boolean withdraw(Waiter w) {
        synchronized (queue) {
            if (w.granted || !queue.remove(w)) {
                return false;
            }
            clearWake(w);
            wakeHead();
            return true;
        }
    }

    private boolean handOff() {
        synchronized (queue) {
            Waiter w = queue.poll();
            if (w == null) {
                handOffMode = false;
                return false;
            }
            clearWake(w);
            if (queue.size() == 0 || System.nanoTime() - w.since < STARVATION_NANOS) {
                handOffMode = false;      // Go's rule: back to normal once nobody starves
            }
            w.grant();
            return true;
        }
    }

    /** Caller holds the queue monitor: grants free permits in order, else wakes the head to compete. */
    private void wakeHead() {
        grantFreePermitsIfHandingOff();
        Waiter h = queue.peek();
        if (h != null && !wakePending && permits > 0) {
            wakePending = true;
            h.wakeToCompete();
        }
    }

    /** Caller holds the monitor; {@code w} leaves the queue by grant or withdrawal. */
    private void clearWake(Waiter w) {
        if (w.woken) {
            w.woken = false;
            wakePending = false;
        }
    }

    private void grantFreePermitsIfHandingOff() {
        if (handOffMode) {
            grantFreePermits();
        }
    }

    /** Caller holds the queue monitor: hands free permits to waiters, in order. */
    private void grantFreePermits() {
        Waiter w;
        while ((w = queue.peek()) != null && tryAcquire()) {
            queue.poll();
            clearWake(w);
            w.grant();
        }
    }

    @Override
    public String toString() {
        return "FiberSemaphore[permits=" + permits + ", waiters=" + queue.size() + "]";
    }

    private static final VarHandle PERMITS;
    static {
        try {
            PERMITS = MethodHandles.lookup().findVarHandle(FiberSemaphore.class, "permits", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
