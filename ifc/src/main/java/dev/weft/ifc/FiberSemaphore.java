package dev.weft.ifc;

import dev.weft.scheduler.FiberKilledException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counting semaphore for fibers, with direct hand-off: a release with waiters queued
 * gives its permit straight to the longest waiter (FIFO), which wakes already holding it;
 * no permit is put back for someone else to barge in on. An acquire takes a free permit
 * without queueing only when no waiter is queued (so queued waiters are served in
 * arrival order; a newcomer can win only against a release that is still in flight).
 *
 * <p>Works from any thread; fibers wait through their wakeup word (and {@link
 * dev.weft.scheduler.Fiber#kill() kill} ends their wait), other threads park.
 *
 * <p>Lost-wakeup rule, mirrored:
 * <pre>
 *  acquirer (slow path)                      releaser (no waiter seen)
 *  1. under the monitor: enqueue (size++)    1. permits++ (CAS)
 *  2. under the monitor: grant free permits  2. read size; if non-zero, under the
 *     to queued waiters in order                monitor grant free permits in order
 * </pre>
 * Either the acquirer's step 2 sees the permit or the releaser's step 2 sees the waiter.
 */
public final class FiberSemaphore {
    private volatile int permits;                       // CAS (PERMITS)
    private final WaitQueue queue = new WaitQueue();     // its monitor guards the list and grants

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
        if (!acquire(false)) {
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
        if (Thread.interrupted() || !acquire(true)) {
            throw new InterruptedException();
        }
    }

    /** Returns a permit: to the longest waiter if there is one, else to the pool. */
    public void release() {
        if (queue.size() != 0 && handOff()) {
            return;
        }
        PERMITS.getAndAdd(this, 1);
        if (queue.size() != 0) {
            synchronized (queue) {
                grantFreePermits();
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

    /** True if a permit was taken; false if interrupted (interruptible only). */
    private boolean acquire(boolean interruptible) {
        if (queue.size() == 0 && tryAcquire()) {
            return true;
        }
        Waiter w = Waiter.mine();
        synchronized (queue) {
            queue.enqueue(w);
            grantFreePermits();
        }
        if (w.granted) {
            return true;
        }
        int outcome = w.await(interruptible);
        if (outcome == Waiter.GRANTED || !withdraw(w)) {
            return true;                  // granted, possibly while being killed: it holds the permit
        }
        if (outcome == Waiter.KILLED) {
            throw new FiberKilledException("killed while waiting for a permit of " + this);
        }
        return false;
    }

    /** Takes {@code w} out of the queue unless a grant got there first. */
    private boolean withdraw(Waiter w) {
        synchronized (queue) {
            return !w.granted && queue.remove(w);
        }
    }

    private boolean handOff() {
        synchronized (queue) {
            Waiter w = queue.poll();
            if (w == null) {
                return false;
            }
            w.grant();
            return true;
        }
    }

    /** Caller holds the queue monitor: hands free permits to waiters, in order. */
    private void grantFreePermits() {
        Waiter w;
        while ((w = queue.peek()) != null && tryAcquire()) {
            queue.poll();
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
