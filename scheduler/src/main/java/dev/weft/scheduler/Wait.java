package dev.weft.scheduler;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The one wait of Weft (Go's gopark / goready): every Weft wait for a condition — sockets
 * and fds, the wait queues of the mutex, semaphore and condition, inter-fiber call
 * results, signals, {@link Weft#sleep}, a bound lane's idle server — waits here, and
 * every waker wakes through {@link #wake}.
 *
 * <h2>Contract</h2>
 * A waiter has a condition ({@link Until}) that wakers make true and then wake it. The
 * waiter is {@linkplain #self() itself}: its {@link Fiber} on a Weft fiber (a sleep on the
 * wakeup word), else its thread (a park). {@code await} returns once the condition holds,
 * or with the reason that ended it otherwise:
 * <ul>
 * <li>{@link Wake#KILL}: the fiber was killed (unless {@link #UNKILLABLE});</li>
 * <li>{@link Wake#INTERRUPT}: the thread is interrupted (unless {@link #UNINTERRUPTIBLE});
 *     the status is left set;</li>
 * <li>{@link Wake#TIMEOUT}: the deadline passed (only with a deadline; an untimed wait does
 *     not accept TIMEOUT, so a stray one cannot end it);</li>
 * <li>any of {@code alsoEnd}'s reasons (fibers only): raised by someone, or IFC calls queued
 *     (they ran before the return).</li>
 * </ul>
 * A condition that holds wins over every other ending: a grant that arrived is kept, a
 * ready fd is used. An uninterruptible wait clears an interrupt while it waits (or its
 * every sleep and park would return at once) and sets it again before it returns.
 *
 * <h2>Steps, mirrored</h2>
 * <pre>
 *  waiter (await)                              waker (any thread)
 *  1. prepare the sleep (fiber: the wakeup     1. make the condition true (its own
 *     word opens with the accepted reasons)       volatile write or CAS)
 *  2. test the condition: holds -> close the   2. wake(waiter, reason): on a fiber, raise
 *     word, return                                the reason (one unpark for the first);
 *  3. sleep / park; then test again               on a thread, unpark it
 * </pre>
 * Steps 1 and 2 of each side are ordered by volatile accesses, so either the waiter's test
 * sees the condition, or the waker's raise lands on the open word (or its unpark on the
 * thread's permit) and the sleep returns. The word this wait opened is closed on every
 * path, the early return of step 2 included: a wait never leaves a prepared sleep behind
 * for a later waker's raise to land on.
 */
public final class Wait {
    private Wait() { }

    /** The condition a wait ends on, tested after each prepared sleep. Must not block; should not allocate. */
    @FunctionalInterface
    public interface Until {
        /** True once the waited-for thing happened. */
        boolean done();
    }

    /** Option: kill does not end the wait (a fiber that must re-acquire what it holds before it unwinds). */
    public static final int UNKILLABLE = 1;
    /** Option: an interrupt does not end the wait; it is kept and set again on return. */
    public static final int UNINTERRUPTIBLE = 2;

    /** The condition of {@link Weft#sleep}: never holds, the wait ends only by a reason. */
    static final Until SLEEP = new Until() {
        @Override
        public boolean done() {
            return false;
        }

        @Override
        public String toString() {
            return "the end of a Weft.sleep";
        }
    };

    /**
     * The calling waiter as {@link #wake} takes it: its {@link Fiber} on a Weft fiber, else
     * its thread. Wakers keep it where the waiter publishes itself (a queue, a slot).
     */
    public static Object self() {
        Fiber f = Fiber.current();
        return f != null ? f : Thread.currentThread();
    }

    /**
     * Wakes {@code waiter} (from {@link #self()}) for {@code reason}, after making its
     * condition true: raises the reason on a fiber (nothing happens unless its current sleep
     * accepts it), unparks a thread. A {@code null} waiter is ignored.
     */
    public static void wake(Object waiter, int reason) {
        if (waiter instanceof Fiber f) {
            f.wake(reason);
        } else if (waiter != null) {
            LockSupport.unpark((Thread) waiter);
        }
    }

    /**
     * Waits until {@code until} holds, or a reason ends the wait.
     *
     * @param until the condition, also the park blocker (its {@code toString} names the wait)
     * @param reason the reason wakers raise when they made {@code until} true (0 if none does:
     *        the wait ends only by {@code alsoEnd}, kill, interrupt or the deadline)
     * @param alsoEnd further reasons that end the wait and are returned (fibers only), e.g.
     *        {@link Wake#IFC}, user reasons, or {@link Wake#TIMEOUT} for a wait whose deadline is
     *        its purpose
     * @param deadline a {@link System#nanoTime()} value, {@link Long#MAX_VALUE} for none; on a
     *        fiber it is served by the timer service
     * @param options {@link #UNKILLABLE} and {@link #UNINTERRUPTIBLE}, or 0
     * @return 0 once {@code until} holds, else the reason that ended the wait: KILL, INTERRUPT,
     *         TIMEOUT, or the raised {@code alsoEnd} reasons
     */
    public static int await(Until until, int reason, int alsoEnd, long deadline, int options) {
        return await(Fiber.current(), until, reason, alsoEnd, deadline, options);
    }

    /** {@link #await} for {@code self}, the calling thread's fiber, or null on a thread that is not one. */
    static int await(Fiber self, Until until, int reason, int alsoEnd, long deadline, int options) {
        if (deadline == Long.MAX_VALUE) {
            alsoEnd &= ~Wake.TIMEOUT;                    // untimed: a stray TIMEOUT is not accepted
        }
        boolean kept = false;
        try {
            for (;;) {
                int r = self != null ? sleepOnce(self, until, reason | alsoEnd, deadline, options) : parkOnce(until, deadline);
                if (r == 0 || until.done()) {
                    return 0;
                }
                if (r == AGAIN) {
                    continue;
                }
                if ((r & Wake.KILL) != 0 && (options & UNKILLABLE) == 0) {
                    return Wake.KILL;
                }
                if ((r & Wake.INTERRUPT) != 0) {
                    if ((options & UNINTERRUPTIBLE) == 0) {
                        return Wake.INTERRUPT;
                    }
                    kept = true;
                    Thread.interrupted();                // or the next sleep or park returns at once
                }
                if ((r & alsoEnd) != 0) {
                    return r & alsoEnd;
                }
                if ((r & Wake.TIMEOUT) != 0) {
                    return Wake.TIMEOUT;
                }
            }
        } finally {
            if (kept) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * {@link #await} with the contract of a blocking socket or channel: kill throws
     * {@link FiberKilledException}, interrupt {@link InterruptedIOException} (status kept), the
     * deadline {@link SocketTimeoutException}.
     *
     * @return 0 once {@code until} holds, else the raised {@code alsoEnd} reasons
     */
    public static int awaitIo(Until until, int reason, int alsoEnd, long deadline) throws IOException {
        int r = await(until, reason, alsoEnd, deadline, 0);
        return switch (r) {
            case Wake.KILL -> throw new FiberKilledException("killed while waiting for " + until);
            case Wake.INTERRUPT -> throw new InterruptedIOException("interrupted while waiting for " + until);
            case Wake.TIMEOUT -> (alsoEnd & Wake.TIMEOUT) != 0 ? r
                    : throwing(new SocketTimeoutException("timed out waiting for " + until));
            default -> r;
        };
    }

    /**
     * {@link #await} with the contract of {@link Thread#sleep} and {@link Object#wait}: kill
     * throws {@link FiberKilledException}, interrupt {@link InterruptedException} (status
     * cleared); the deadline is returned as {@link Wake#TIMEOUT}, for the caller's own answer
     * (a {@code TimeoutException}, {@code false}, or the end of a sleep).
     *
     * @return 0 once {@code until} holds, else TIMEOUT or the raised {@code alsoEnd} reasons
     */
    public static int awaitInterruptibly(Until until, int reason, int alsoEnd, long deadline)
            throws InterruptedException {
        int r = await(until, reason, alsoEnd, deadline, 0);
        if (r == Wake.KILL) {
            throw new FiberKilledException("killed while waiting for " + until);
        }
        if (r == Wake.INTERRUPT) {
            Thread.interrupted();
            throw new InterruptedException("interrupted while waiting for " + until);
        }
        return r;
    }

    private static int throwing(IOException e) throws IOException {
        throw e;
    }

    /**
     * One prepared sleep of a fiber: 0 if the condition held after the prepare (the word is
     * closed again), else what the sleep returned (it closed the word).
     */
    private static int sleepOnce(Fiber f, Until until, int reasons, long deadline, int options) {
        int mask = reasons | ((options & UNKILLABLE) == 0 ? Wake.KILL : 0);
        f.prepare(mask, deadline);
        boolean slept = false;
        try {
            if (until.done()) {
                return 0;
            }
            int r = f.sleep();
            slept = true;
            return r;
        } finally {
            if (!slept) {
                f.cancelSleep();
            }
        }
    }

    /** One park of a thread that is not a fiber: its interrupt and deadline, reported as a sleep's. */
    private static int parkOnce(Until until, long deadline) {
        if (until.done()) {
            return 0;
        }
        if (Thread.currentThread().isInterrupted()) {
            return Wake.INTERRUPT;
        }
        if (deadline == Long.MAX_VALUE) {
            LockSupport.park(until);
        } else {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Wake.TIMEOUT;
            }
            LockSupport.parkNanos(until, left);
        }
        return Thread.currentThread().isInterrupted() ? Wake.INTERRUPT : AGAIN;
    }

    /** What a park that ended for no reason of its own returns: test the condition again. */
    private static final int AGAIN = Integer.MIN_VALUE;
}
