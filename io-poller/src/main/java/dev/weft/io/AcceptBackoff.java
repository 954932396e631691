package dev.weft.io;

import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.FiberKilledException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;

/**
 * What a server's accept loop does when accept fails for a reason that passes: out of file
 * descriptors (EMFILE, ENFILE), out of kernel memory (ENOBUFS, ENOMEM), a connection reset
 * while it was queued (ECONNABORTED). Ending the loop there stops the server for good
 * (nobody accepts once descriptors are free again); retrying at once spins, since the
 * pending connection stays queued. So the loop pauses, 5 ms doubling up to 1 s (Go's
 * net/http; Netty pauses its acceptor 1 s), logs the first failure of each burst and how
 * the burst ended, and goes on:
 * <pre>{@code
 * AcceptBackoff backoff = new AcceptBackoff("echo on " + server.localAddress());
 * for (;;) {
 *     WeftSocket s;
 *     try {
 *         s = server.accept();
 *     } catch (IOException e) {
 *         if (!AcceptBackoff.isTransient(e)) throw e;     // closed, or a real failure
 *         backoff.pause(e);
 *         continue;
 *     }
 *     backoff.reset();
 *     serve(s);
 * }
 * }</pre>
 * One loop owns an instance (not thread-safe).
 */
public final class AcceptBackoff {
    private static final System.Logger LOG = System.getLogger(AcceptBackoff.class.getName());
    static {
        // The JDK's log formatter reads the time-zone database on its first use; out of
        // descriptors that read fails, and its class never initialises again (every later log
        // of the JVM fails). Loaded now, while a descriptor is still there to load it.
        java.time.ZoneId.systemDefault();
    }
    static final Duration FIRST = Duration.ofMillis(5), MOST = Duration.ofSeconds(1);

    private final String server;
    private Duration next = FIRST;           // owner only: the next pause
    private int failures;                    // owner only: failures in the current burst
    private long burstStart;                 // owner only: System.nanoTime() of its first failure
    private IOException first;               // owner only: the burst's first failure, if logging it failed

    /** @param server how the log names the server ("echo on 127.0.0.1:8080") */
    public AcceptBackoff(String server) {
        this.server = Objects.requireNonNull(server, "server");
    }

    /**
     * True for the failures of a Weft accept that pass (EMFILE, ENFILE, ENOBUFS, ENOMEM,
     * ECONNABORTED). A JDK {@code ServerSocket} does not say its errno: a loop on one treats
     * every failure while the listener is still open as passing (as Netty does).
     */
    public static boolean isTransient(IOException e) {
        if (!(e instanceof ErrnoException x)) {
            return false;
        }
        return switch (x.errno()) {
            case Errno.EMFILE, Errno.ENFILE, Errno.ENOBUFS, Errno.ENOMEM, Errno.ECONNABORTED -> true;
            default -> false;
        };
    }

    /**
     * After a failed accept that passes: logs it if it is the first of a burst, then sleeps
     * the current pause and doubles it (up to 1 s).
     *
     * @throws InterruptedIOException if the thread is interrupted while pausing (status kept):
     *         the loop should end
     * @throws FiberKilledException if the calling fiber was killed (a killed fiber's accept
     *         loop must not pause forever on a failure that does not pass)
     */
    public void pause(IOException cause) throws InterruptedIOException {
        if (failures++ == 0) {
            burstStart = System.nanoTime();
            first = log(System.Logger.Level.WARNING, server + ": accept failed (" + cause.getMessage()
                    + "); pausing, doubling from " + FIRST.toMillis() + " ms up to " + MOST.toMillis()
                    + " ms, until it accepts again", cause) ? null : cause;
        }
        Fiber self = Fiber.current();
        if (self != null && self.isKilled()) {
            throw new FiberKilledException("killed while pausing after a failed accept on " + server);
        }
        Duration pause = next;
        next = next.multipliedBy(2).compareTo(MOST) > 0 ? MOST : next.multipliedBy(2);
        try {
            Thread.sleep(pause);                 // a JDK sleep: io-poller does not need Weft's timers
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(server + ": interrupted while pausing after a failed accept");
        }
    }

    /** After a successful accept: ends the burst, if there was one (logged), and the pause starts over. */
    public void reset() {
        if (failures != 0) {
            String ended = server + ": accepting again after " + failures + " failed accepts in "
                    + (System.nanoTime() - burstStart) / 1_000_000 + " ms";
            if (first != null) {
                log(System.Logger.Level.WARNING, ended + "; the first: " + first.getMessage(), first);
            } else {
                log(System.Logger.Level.INFO, ended, null);
            }
            failures = 0;
            first = null;
            next = FIRST;
        }
    }

    /**
     * Logs; false if logging failed. Out of descriptors, logging may fail too (the JDK's log
     * formatter opens a file on its first use): that must not end the loop, and the burst is
     * then logged when it ends.
     */
    private static boolean log(System.Logger.Level level, String message, Throwable cause) {
        try {
            LOG.log(level, message, cause);
            return true;
        } catch (Throwable loggingFailed) {
            return false;
        }
    }
}
