package dev.weft.scheduler;

/**
 * Wakeup reasons: the bits of a fiber's wakeup word. A fiber declares which reasons end
 * its next sleep ({@link Fiber#prepareSleep}); wakers raise reasons ({@link Fiber#wake});
 * {@link Fiber#sleep} returns the set that was raised.
 *
 * <pre>
 *   bit  0 IO_READ    1 IO_WRITE   2 TIMEOUT   3 SIGNAL   4 IFC   5 KILL   6 INTERRUPT   7 GRANT
 *   bits 8..23        user reasons: user(0) .. user(15)
 * </pre>
 * KILL is accepted by every sleep but an unkillable one ({@link Wait#UNKILLABLE}); TIMEOUT
 * only by a sleep with a deadline. INTERRUPT is never raised by a waker: sleep reports it
 * when the thread's interrupt status is set (the status is left set, as the JDK does).
 */
public final class Wake {
    private Wake() { }

    /** The fiber's file descriptor is readable (io-poller). */
    public static final int IO_READ = 1;
    /** The fiber's file descriptor is writable (io-poller). */
    public static final int IO_WRITE = 1 << 1;
    /** A deadline passed (timers). */
    public static final int TIMEOUT = 1 << 2;
    /** A signal the fiber waits for arrived. */
    public static final int SIGNAL = 1 << 3;
    /** An inter-fiber call was queued to the fiber. */
    public static final int IFC = 1 << 4;
    /** The fiber was {@linkplain Fiber#kill() killed}; accepted by every sleep but an unkillable one. */
    public static final int KILL = 1 << 5;
    /** Reported by sleep when the thread is interrupted; not for wakers. */
    public static final int INTERRUPT = 1 << 6;

    /** A wait queue granted the fiber what it waited for (a permit, a lock). */
    public static final int GRANT = 1 << 7;

    static final int USER_SHIFT = 8;
    /** Number of user reasons. */
    public static final int USER_COUNT = 16;
    /** Every reason a waker may raise or a sleeper may accept. */
    static final int RAISABLE = IO_READ | IO_WRITE | TIMEOUT | SIGNAL | IFC | KILL | GRANT
            | (((1 << USER_COUNT) - 1) << USER_SHIFT);

    /**
     * User reason {@code n}, for application-defined wakeups.
     *
     * @throws IllegalArgumentException unless {@code 0 <= n < 16}
     */
    public static int user(int n) {
        if (n < 0 || n >= USER_COUNT) {
            throw new IllegalArgumentException("user wake reason must be in [0, " + USER_COUNT + "), got " + n);
        }
        return 1 << (USER_SHIFT + n);
    }

    /** Checks that {@code reasons} names only raisable reasons and at least one. */
    static int check(String what, int reasons) {
        if (reasons == 0 || (reasons & ~RAISABLE) != 0) {
            throw new IllegalArgumentException(what + ": reasons must be a non-empty set of Wake bits"
                    + " (INTERRUPT excluded), got 0x" + Integer.toHexString(reasons));
        }
        return reasons;
    }
}
