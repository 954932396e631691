package dev.weft.scheduler;

import java.io.Serial;

/**
 * The cause a {@link FiberCall} fails with when its target fiber exited before running it:
 * sent after the exit, or still queued when the fiber ended.
 */
public class FiberExitedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public FiberExitedException(String message) {
        super(message);
    }
}
