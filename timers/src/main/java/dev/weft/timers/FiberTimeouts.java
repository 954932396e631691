package dev.weft.timers;

import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.TimerService;
import dev.weft.scheduler.WeftScheduler;

/**
 * The {@link TimerService} the scheduler finds through {@link java.util.ServiceLoader}:
 * each fiber's timeout lives on its scheduler's {@link TimerFiber}. Applications do not
 * use this class; having weft-timers on the class path is enough.
 */
public final class FiberTimeouts implements TimerService {
    /** For ServiceLoader. */
    public FiberTimeouts() { }

    @Override
    public Timeout newTimeout(Fiber fiber) {
        return new FiberTimeout(fiber, TimerFiber.of(fiber.scheduler()));
    }

    @Override
    public void started(WeftScheduler scheduler) {
        TimerFiber.of(scheduler);
    }
}
