package dev.weft.io;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The process-wide pollers: {@code -Ddev.weft.io.pollers=N} of them (default: one per 8
 * available processors, at least one), fds sharded by number, each thread on the time
 * slice {@link PollerSlice} asks for. Started on first use.
 */
final class Pollers {
    private Pollers() { }

    private static final Poller[] POLLERS = start();

    private static Poller[] start() {
        int n = Integer.getInteger("dev.weft.io.pollers",
                Math.max(1, Runtime.getRuntime().availableProcessors() / 8));
        if (n < 1) {
            throw new IllegalArgumentException("dev.weft.io.pollers must be >= 1, got " + n);
        }
        long slice = PollerSlice.configuredNanos();
        Poller[] p = new Poller[n];
        try {
            for (int i = 0; i < n; i++) {
                p[i] = new Poller("weft-poller-" + i, slice);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Weft's pollers", e);
        }
        return p;
    }

    /** Every poller, in shard order. */
    static Poller[] all() {
        return POLLERS.clone();
    }

    /** The poller that serves {@code fd}. */
    static Poller forFd(int fd) {
        return POLLERS[fd % POLLERS.length];
    }
}
