package dev.weft.scheduler;

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
}
