package dev.weft.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The time slice a poller thread asks of the kernel. Linux's EEVDF scheduler (6.6 and
 * later; a per-thread request since 6.12) lets a thread that was woken run at once only if
 * its deadline comes before the running thread's, and a deadline is its slice away: with
 * the default slice (about 0.7-3 ms, by CPU count) a poller woken while every CPU runs a busy
 * worker waits up to a worker's whole slice, and every readiness it would hand over waits
 * with it, whatever the fibers' priorities. A poller thread runs for microseconds per
 * wake-up, so it asks for the shortest slice the kernel grants (100 µs): its deadline is
 * then near and it preempts a worker on wake-up. Measured in BENCHMARKS.md ("Readiness
 * under a CPU flood").
 *
 * <p>{@code -Ddev.weft.io.pollerSliceMicros=N}: 100 by default, 100 to 100,000, or 0 to
 * ask for nothing (the thread keeps the slice it started with: the kernel's default unless
 * the JVM was started with another). A kernel that does not take the request (older than 6.12:
 * it ignores the field; no sched_setattr: ENOSYS) leaves the poller as it was; that is
 * logged at DEBUG, nothing else changes.
 */
final class PollerSlice {
    private PollerSlice() { }

    static final String PROPERTY = "dev.weft.io.pollerSliceMicros";

    /** struct sched_attr, first version (48 bytes): the fields this class reads or writes. */
    private static final int ATTR_SIZE = 48, SIZE = 0, FLAGS = 8, RUNTIME = 24;

    /**
     * The slice in nanoseconds from {@value #PROPERTY}, 0 for no request.
     *
     * @throws IllegalArgumentException if the property is not 0 or 100 to 100,000, naming it
     */
    static long configuredNanos() {
        String v = System.getProperty(PROPERTY, "100");
        long micros;
        try {
            micros = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + " must be a number of microseconds, got \"" + v + "\"", e);
        }
        if (micros != 0 && (micros < 100 || micros > 100_000)) {
            throw new IllegalArgumentException(PROPERTY + " must be 0 (no request) or 100 to 100000"
                    + " (the range Linux grants), got " + micros);
        }
        return micros * 1000;
    }

    /** Asks for a slice of {@code nanos} for the calling thread; 0 asks for nothing. */
    static void request(long nanos) {
        if (nanos == 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            int r = Syscalls.schedGetattr(attr);
            if (r == 0) {
                attr.set(ValueLayout.JAVA_INT, SIZE, ATTR_SIZE);
                attr.set(ValueLayout.JAVA_LONG, FLAGS, 0L);             // policy, nice and priority stay as read
                attr.set(ValueLayout.JAVA_LONG, RUNTIME, nanos);
                r = Syscalls.schedSetattr(attr);
            }
            if (r < 0) {
                int errno = -r;
                // Looked up only here: a static logger would initialise the JDK's logging on
                // every poller thread's start.
                System.getLogger(PollerSlice.class.getName()).log(System.Logger.Level.DEBUG, () -> Thread.currentThread().getName()
                        + " keeps the kernel's default time slice: sched_setattr/getattr failed with " + Errno.name(errno));
            }
        }
    }
}
