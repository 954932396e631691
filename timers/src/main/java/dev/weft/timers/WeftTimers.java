package dev.weft.timers;

import dev.weft.scheduler.WeftScheduler;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Entry points of Weft's timers. Sleeps and timeouts need nothing from here: with this
 * module on the class path, {@code Weft.sleep}, {@code Fiber.prepareSleep(reasons,
 * deadline)} and every Weft wait that takes a timeout are served by the scheduler's timer
 * fiber.
 */
public final class WeftTimers {
    private WeftTimers() { }

    /**
     * A ScheduledExecutorService whose deadlines live in {@code scheduler}'s timer fiber and
     * whose tasks run on fibers of {@code scheduler} (one new fiber per run). See
     * {@link java.util.concurrent.ScheduledThreadPoolExecutor} for the contract; shutdown
     * behaves as its defaults (delayed one-shot tasks still run, periodic ones stop).
     */
    public static ScheduledExecutorService scheduledExecutor(WeftScheduler scheduler) {
        return new FiberScheduledExecutor(Objects.requireNonNull(scheduler, "scheduler"));
    }
}
