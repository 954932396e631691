package dev.weft.io;

/**
 * Go's netpoll, as an option: pass {@link #pollNow} to
 * {@code WeftScheduler.builder().idlePoll(NetPoll::pollNow)} and a worker that runs out of
 * work polls the epoll sets once, without blocking, before it goes idle; fibers made ready
 * run on that worker, with no hop through the poller thread.
 */
public final class NetPoll {
    private NetPoll() { }

    /** Polls every Weft poller once, without blocking; true if an event was dispatched. */
    public static boolean pollNow() {
        return Pollers.pollNow();
    }
}
