package dev.weft.io;

import java.io.IOException;

/**
 * One owner's wake-up at a deadline, on Weft's poller: what a timer service sleeps on.
 * Two kinds, to compare (DESIGN section 13): {@link TimerFd} (a timerfd in the epoll set)
 * and {@link PollerAlarm} (the deadline folded into the poller thread's epoll_wait
 * timeout). One owner sets, awaits and closes it.
 */
public interface Alarm extends AutoCloseable {
    /**
     * Sets the expiry ({@link System#nanoTime()} clock; one in the past expires at once),
     * or clears it with {@link Long#MAX_VALUE}. Cheap when unchanged.
     */
    void setExpiry(long deadlineNanos) throws IOException;

    /**
     * Waits until the expiry passes or, on a fiber, one of {@code alsoAccept}'s wake
     * reasons is raised (IFC calls run first); returns 0 on expiry (consumed), else the
     * {@code alsoAccept} reasons that ended the wait.
     */
    int await(int alsoAccept) throws IOException;

    /** System calls made so far to move the expiry (timerfd_settime, or eventfd nudges). */
    long armCalls();

    @Override
    void close();
}
