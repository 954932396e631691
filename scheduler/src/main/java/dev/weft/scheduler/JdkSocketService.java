package dev.weft.scheduler;

/**
 * Serves the JDK's socket waits of Weft fibers (a {@code java.net.Socket} read that would
 * block parks its virtual thread in {@code sun.nio.ch.Poller}) on Weft's own pollers, so
 * that their wake-ups do not cross from the JDK's default scheduler. The scheduler does
 * not implement it; the {@code weft-io-poller} module provides it through
 * {@link java.util.ServiceLoader}, as {@link TimerService} is provided by weft-timers.
 */
public interface JdkSocketService {
    /**
     * Takes the JDK's socket waits of Weft fibers from now on; called once per JVM by the
     * first scheduler built, after the JDK's poller was started off Weft. Waits of other
     * threads stay with the JDK.
     *
     * @throws IllegalStateException naming the missing JVM flag, or the property that turns it off
     */
    void install();
}
