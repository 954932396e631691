package dev.weft.scheduler;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The drop-in entry points, named as the JDK names them, on a default scheduler created
 * on first use (one worker per available processor, NORMAL priority):
 * <pre>{@code
 *   Thread t = Weft.ofVirtual().name("worker-", 0).start(task);     // Thread.ofVirtual()
 *   ThreadFactory f = Weft.threadFactory();                         // Thread.ofVirtual().factory()
 *   try (ExecutorService ex = Weft.newVirtualThreadPerTaskExecutor()) { ex.submit(task); }
 * }</pre>
 * Virtual threads that these threads start with plain {@code Thread.ofVirtual()} or
 * {@code Executors.newVirtualThreadPerTaskExecutor()} run on Weft too: the JDK makes a
 * child inherit its parent's scheduler. For priorities, bound lanes or a second pool,
 * build a {@link WeftScheduler}.
 *
 * <p>The JVM needs {@code --add-opens java.base/java.lang=ALL-UNNAMED}; without it the
 * first call throws an {@link IllegalStateException} naming the flag.
 */
public final class Weft {
    private Weft() { }

    private static final class DefaultHolder {
        static final WeftScheduler SCHEDULER = WeftScheduler.builder().name("weft-default").build();
    }

    /** The default scheduler, started on first use; its carriers are daemon threads. */
    public static WeftScheduler scheduler() {
        return DefaultHolder.SCHEDULER;
    }

    /** Like {@link Thread#ofVirtual()}, on the default scheduler. */
    public static Thread.Builder.OfVirtual ofVirtual() {
        return scheduler().ofVirtual();
    }

    /** Like {@code Thread.ofVirtual().factory()}, on the default scheduler. */
    public static ThreadFactory threadFactory() {
        return scheduler().threadFactory();
    }

    /** Like {@link java.util.concurrent.Executors#newVirtualThreadPerTaskExecutor()}, on the default scheduler. */
    public static ExecutorService newVirtualThreadPerTaskExecutor() {
        return scheduler().newVirtualThreadPerTaskExecutor();
    }

    /** True when the caller is a fiber of any Weft scheduler. */
    public static boolean isFiber() {
        return Fiber.current() != null;
    }

    /**
     * Sleeps for {@code duration}. On a Weft fiber the deadline is served by Weft's timer
     * fiber (weft-timers must be on the class path), not by the JDK's timed park, which
     * for a custom scheduler goes through a ScheduledThreadPoolExecutor; elsewhere the thread
     * parks until the deadline. Zero or negative returns at once (unless interrupted).
     *
     * @throws InterruptedException if the thread is interrupted (the status is cleared)
     * @throws FiberKilledException if the fiber is killed
     */
    public static void sleep(Duration duration) throws InterruptedException {
        sleepUntil(deadlineAfter(duration));
    }

    /**
     * Sleeps until {@code System.nanoTime() >= deadlineNanos}; {@link Long#MAX_VALUE} never
     * returns normally. As {@link #sleep(Duration)}.
     */
    public static void sleepUntil(long deadlineNanos) throws InterruptedException {
        Wait.awaitInterruptibly(Wait.SLEEP, 0, Wake.TIMEOUT, deadlineNanos);
    }

    /**
     * The {@link System#nanoTime()} value {@code timeout} from now, for the deadline
     * arguments of Weft waits: now for zero or negative timeouts (they expire at once),
     * {@link Long#MAX_VALUE} (no deadline) when the sum would overflow. Never wraps.
     */
    public static long deadlineAfter(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return timeout.isNegative() ? System.nanoTime() : Long.MAX_VALUE;
        }
        return deadlineAfterNanos(nanos);
    }

    /** As {@link #deadlineAfter(Duration)}, for a timeout in nanoseconds. */
    public static long deadlineAfterNanos(long nanos) {
        long now = System.nanoTime();
        if (nanos <= 0) {
            return now;
        }
        long d = now + nanos;
        return ((now ^ d) & (nanos ^ d)) < 0 || d == Long.MAX_VALUE ? Long.MAX_VALUE : d;   // overflow saturates
    }
}
