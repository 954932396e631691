package dev.weft.ifc;

import dev.weft.scheduler.Wait;
import dev.weft.scheduler.Wake;

/**
 * One thread's place in a {@link WaitQueue}. Each thread has one, reused for every wait
 * (a thread waits on one queue at a time: the seed's "wait on single queue only"), so a
 * contended acquire allocates nothing after the thread's first.
 *
 * <p>{@code granted} and {@code woken} are written by the granter under the queue's
 * monitor, before the wake: they are the condition of the waiter's {@link Wait}, so a
 * grant that lands before the waiter sleeps is seen by its test, and one that lands after
 * is a raised GRANT. The condition is not monotonic: a woken waiter can be taken over by
 * a grant (its wake cleared, then the grant given), so a wait that saw it hold and then
 * finds neither flag waits again. Fibers sleep on their wakeup word, other threads (platform threads,
 * virtual threads of other schedulers) park: {@link Wait} does both.
 */
final class Waiter implements Wait.Until {
    /** Outcomes of {@link #await}. */
    static final int GRANTED = 0, KILLED = 1, INTERRUPTED = 2, WOKEN = 3, TIMED_OUT = 4;

    private static final ThreadLocal<Waiter> MINE = ThreadLocal.withInitial(Waiter::new);

    private final Object self = Wait.self();   // the fiber or thread this waiter belongs to
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
        Wait.wake(self, Wake.GRANT);
    }

    /** Releaser side (barging mode): a permit is free; wake the waiter to compete for it. */
    void wakeToCompete() {
        woken = true;
        Wait.wake(self, Wake.GRANT);
    }

    @Override
    public boolean done() {
        return granted || woken;
    }

    /**
     * Waits until granted or woken to compete, or until killed (fibers, when
     * {@code killable}), interrupted (when {@code interruptible}; the status stays set) or
     * past {@code deadline} (a {@link System#nanoTime()} value, {@link Long#MAX_VALUE} for
     * none; on fibers the timer fiber raises TIMEOUT). An interrupt that does not end the
     * wait is kept: the status is set again on return. An unkillable wait of a killed fiber
     * is still a sleep on its word, one that does not accept KILL.
     */
    int await(boolean interruptible, boolean killable, long deadline) {
        int options = (interruptible ? 0 : Wait.UNINTERRUPTIBLE) | (killable ? 0 : Wait.UNKILLABLE);
        for (;;) {
            int r = Wait.await(this, Wake.GRANT, 0, deadline, options);
            if (granted) {
                return GRANTED;
            }
            if (woken) {
                return WOKEN;
            }
            switch (r) {
                case Wake.KILL:
                    return KILLED;
                case Wake.TIMEOUT:
                    return TIMED_OUT;
                case Wake.INTERRUPT:
                    return INTERRUPTED;
                default:
                    // The condition held and then no longer did: a later acquirer's grant of
                    // free permits (or a hand-off) took this waiter over, clearing its wake
                    // before granting it (under the queue monitor). The grant follows: wait again.
            }
        }
    }

    @Override
    public String toString() {
        return "a wait queue's grant to " + self;
    }
}
