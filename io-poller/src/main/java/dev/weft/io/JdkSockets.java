package dev.weft.io;

import dev.weft.scheduler.JdkSocketService;

/**
 * The {@link JdkSocketService} the scheduler finds through {@link java.util.ServiceLoader}:
 * with weft-io-poller on the class path, Weft fibers' blocking JDK sockets wait in Weft's
 * pollers ({@link JdkSocketWaits}). Needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED};
 * {@code -Ddev.weft.jdkSockets=jdk} leaves them to the JDK. Applications do not use this class.
 */
public final class JdkSockets implements JdkSocketService {
    /** For ServiceLoader. */
    public JdkSockets() { }

    @Override
    public void install() {
        if (JdkSocketWaits.wanted()) {
            JdkSocketWaits.install();
        }
    }
}
