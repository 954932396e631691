package dev.weft.scheduler;

import java.util.ServiceLoader;

/** Finds the {@link TimerService} provider once, on the first timed sleep. */
final class TimerServices {
    private TimerServices() { }

    private static final TimerService SERVICE = ServiceLoader
            .load(TimerService.class, TimerService.class.getClassLoader()).findFirst().orElse(null);

    /** Whether a provider is on the class path. */
    static boolean present() {
        return SERVICE != null;
    }

    /** @throws IllegalStateException if no provider is on the class path (weft-timers missing) */
    static TimerService get() {
        if (SERVICE == null) {
            throw new IllegalStateException("a Weft wait with a deadline needs the weft-timers module"
                    + " (dev.weft:weft-timers) on the class path; no " + TimerService.class.getName() + " provider found");
        }
        return SERVICE;
    }
}
