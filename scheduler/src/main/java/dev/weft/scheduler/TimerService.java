package dev.weft.scheduler;

/**
 * Serves the deadlines of Weft sleeps ({@link Fiber#prepareSleep(int, long)}): raises
 * {@link Wake#TIMEOUT} on a fiber's sleep when its deadline passes. The scheduler does
 * not implement it; the {@code weft-timers} module provides it through
 * {@link java.util.ServiceLoader} (a timer fiber per scheduler serving a 4-ary heap, woken through
 * a timerfd on the poller). This keeps the layers acyclic: the io-poller and ifc modules
 * put deadlines on their waits through {@link Fiber}, and the timers module, which sleeps
 * on the poller, plugs in underneath at run time.
 */
public interface TimerService {
    /**
     * The timeout of one fiber, reused by all its timed sleeps (the seed keeps it in the
     * fiber control block). Every method is called by the fiber itself.
     */
    interface Timeout {
        /**
         * Raise {@link Wake#TIMEOUT} with {@link Fiber#wakeSleep(int, int)} on sleep number
         * {@code sleep} once {@code System.nanoTime() >= deadlineNanos}; replaces any
         * earlier arm. Must not block.
         */
        void arm(int sleep, long deadlineNanos);

        /** The armed sleep ended for another reason; its deadline need not fire. Must not block. */
        void disarm();

        /**
         * Runs {@code task} on the timer service once {@code System.nanoTime() >=
         * deadlineNanos}, unless the returned future is cancelled first: the JDK's timeout
         * of a timed park of this fiber ({@code Thread.sleep}, {@code parkNanos}, a timed
         * {@code Object.wait}), whose task only makes the fiber runnable. Replaces any
         * earlier arm. The future is this timeout's own, reused by every later call: it is
         * about the last arm only. Called on the fiber's carrier, on the fiber's behalf,
         * while the fiber is parking (never at the same time as the fiber itself). Must not
         * block.
         */
        java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, long deadlineNanos);

        /** The fiber exited: forget it. */
        void close();
    }

    /** A timeout for {@code fiber}; called once, on the fiber's first timed sleep, by the fiber. */
    Timeout newTimeout(Fiber fiber);

    /**
     * {@code scheduler} was built and serves the JDK's timed parks of its fibers here:
     * start what its timed waits need now (the timer fiber and its alarm), so that the
     * first one, which may come when the process is out of file descriptors or memory,
     * finds it running instead of failing to start it.
     */
    void started(WeftScheduler scheduler);
}
