package dev.weft.scheduler;

/**
 * An event source that an idle worker waits on instead of parking (Go's netpoll): the
 * worker that saw an event runs the fibers it made ready, with no hop through another
 * thread. Pass one to {@link WeftScheduler.Builder#idlePoller}.
 *
 * <p>Contract with the scheduler:
 * <ul>
 * <li>at most one worker of the scheduler is inside {@link #poll()} at a time, and only
 *     when it has found no work anywhere;</li>
 * <li>fibers that {@code poll()} wakes are queued on the polling worker without waking
 *     others one by one; after the poll the worker runs the first and wakes one more
 *     worker if more are queued;</li>
 * <li>{@link #wakeup()} is called, from any thread, when the polling worker is wanted
 *     (a hand-off, termination); it must make a {@code poll()} in progress, or the next
 *     one, return soon.</li>
 * </ul>
 */
public interface IdlePoller {
    /**
     * Waits until events arrive or {@link #wakeup()} is called, dispatches the events, and
     * returns. Must not throw; called on a carrier thread, outside any fiber.
     */
    void poll();

    /** Makes a {@link #poll()} in progress return, or the next one return at once. Never blocks. */
    void wakeup();

    /**
     * The scheduler starts using this poller (called once, before its workers start).
     *
     * @throws IllegalStateException if the poller cannot serve one more scheduler
     */
    void attach(String scheduler);

    /** The scheduler has terminated; it will not call {@link #poll()} again. */
    void detach(String scheduler);
}
