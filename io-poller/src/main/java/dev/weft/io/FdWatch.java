package dev.weft.io;

import java.io.IOException;

/**
 * Readiness waits on a file descriptor Weft does not own: a pipe, an eventfd, a timerfd,
 * a pidfd, a device. Registered once, edge-triggered, in Weft's poller; the fd stays the
 * caller's (closing the watch deregisters it, never closes it).
 *
 * <p>Edge-triggered contract: {@link #awaitReadable()} returns once the fd has become
 * readable since the last return, and consumes that readiness. Read until EAGAIN before
 * waiting again, as with any edge-triggered epoll: data that was there before the drain
 * raises no new edge. Works from fibers (a Weft sleep, killable) and from other threads
 * (park); the fd must be non-blocking for the reads that follow to make sense.
 *
 * <pre>{@code
 * try (FdWatch w = FdWatch.of(eventFd)) {
 *     w.awaitReadable();
 *     // read until EAGAIN
 * }
 * }</pre>
 */
public final class FdWatch implements AutoCloseable {
    private final NativeFd nfd;

    private FdWatch(NativeFd nfd) {
        this.nfd = nfd;
    }

    /**
     * Watches {@code fd}.
     *
     * @throws IllegalArgumentException if {@code fd} is negative
     * @throws ErrnoException if epoll refuses it ("epoll_ctl(ADD)(fd=N): EBADF" for a closed fd,
     *         EPERM for a regular file)
     */
    public static FdWatch of(int fd) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("fd must be >= 0, got " + fd);
        }
        return new FdWatch(NativeFd.register(fd, false, 0));
    }

    /** Waits until the fd is readable (or hung up / in error), consuming that edge. */
    public void awaitReadable() throws IOException {
        await(NativeFd.READ);
    }

    /** Waits until the fd is writable (or in error), consuming that edge. */
    public void awaitWritable() throws IOException {
        await(NativeFd.WRITE);
    }

    private void await(int bit) throws IOException {
        nfd.begin();
        try {
            nfd.await(bit);
            nfd.drained(nfd.observe(), bit);
        } finally {
            nfd.end();
        }
    }

    /** The watched fd. */
    public int fd() {
        return nfd.fd;
    }

    /** Deregisters (the fd stays open); a waiting thread gets AsynchronousCloseException. */
    @Override
    public void close() {
        nfd.close();
    }
}
