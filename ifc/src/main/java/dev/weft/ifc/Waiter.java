package dev.weft.ifc;

import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.Wake;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread's place in a {@link WaitQueue}. Each thread has one, reused for every wait
 * (a thread waits on one queue at a time: the seed's "wait on single queue only"), so a
 * contended acquire allocates nothing after the thread's first.
 *
 * <p>{@code granted} is written by the granter under the queue's monitor, before the
 * wake; the waiter reads it after each prepareSleep, so a grant that lands before the
 * waiter sleeps is seen by the read, and one that lands after is a raised GRANT.
 * Fibers wait through their wakeup word (killable); other threads (platform threads,
 * virtual threads of other schedulers) park.
 */
final class Waiter {
    /** Outcomes of {@link #await}. */
    static final int GRANTED = 0, KILLED = 1, INTERRUPTED = 2, WOKEN = 3, TIMED_OUT = 4;

    private static final ThreadLocal<Waiter> MINE = ThreadLocal.withInitial(Waiter::new);

    final Thread thread = Thread.currentThread();
    private final Fiber fiber = Fiber.current();
    volatile boolean granted;         // set by the granter (under the queue monitor), reset by the owner
    volatile boolean woken;           // set by a releaser (under the monitor): compete for a free permit; cleared by the owner
    long since;                       // owner-only: System.nanoTime() when this wait was queued
    Waiter prev, next;                // guarded by the owning queue's monitor
    boolean queued;                   // guarded by the owning queue's monitor

    private Waiter() { }

    /** The calling thread's waiter, reset for a new wait. */
    static Waiter mine() {
        Waiter w = MINE.get();
        w.granted = false;
        w.woken = false;
        return w;
    }

    /** Granter side: the wait is satisfied; wake the waiter. */
    void grant() {
        granted = true;
        signal();
    }

    /** Releaser side (barging mode): a permit is free; wake the waiter to compete for it. */
    void wakeToCompete() {
        woken = true;
        signal();
    }

    /**
     * Wakes the waiter whichever way it waits: through its wakeup word if it sleeps in a
     * Weft sleep accepting GRANT, else by unpark (a thread, or a killed fiber waiting
     * unkillably, parks). An unpark that lands on a fiber not waiting leaves a permit: its
     * next park returns once, and every wait loop re-checks.
     */
    private void signal() {
        if (fiber == null || !fiber.wake(Wake.GRANT)) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Waits until granted or woken to compete, or until killed (fibers, when
     * {@code killable}), interrupted (when {@code interruptible}; the status stays set) or
     * past {@code deadline} (a {@link System#nanoTime()} value, {@link Long#MAX_VALUE} for
     * none; on fibers the timer fiber raises TIMEOUT).
     * An interrupt that does not end the wait is kept: the status is set again on return.
     * A killed fiber waiting unkillably parks instead of sleeping (a killed fiber's every
     * sleep returns at once).
     */
    int await(boolean interruptible, boolean killable, long deadline) {
        boolean interrupted = false;
        try {
            for (;;) {
                boolean sleep = fiber != null && (killable || !fiber.isKilled());
                int r = sleep ? sleepAsFiber(deadline) : parkAsThread(deadline);
                if (granted) {
                    return GRANTED;
                }
                if (woken) {
                    return WOKEN;
                }
                if ((r & Wake.KILL) != 0 && killable) {
                    return KILLED;
                }
                if ((r & Wake.TIMEOUT) != 0) {
                    return TIMED_OUT;
                }
                if ((r & Wake.INTERRUPT) != 0) {
                    if (interruptible) {
                        return INTERRUPTED;
                    }
                    interrupted = true;
                    Thread.interrupted();     // or every later sleep would return at once
                }
            }
        } finally {
            if (interrupted) {
                thread.interrupt();
            }
        }
    }

    private int sleepAsFiber(long deadline) {
        fiber.prepareSleep(Wake.GRANT, deadline);
        return granted || woken ? Wake.GRANT : fiber.sleep();
    }

    private int parkAsThread(long deadline) {
        if (granted || woken) {
            return Wake.GRANT;
        }
        return Wake.parkThread(this, deadline);
    }
}
