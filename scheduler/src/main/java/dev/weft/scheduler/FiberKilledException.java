package dev.weft.scheduler;

import java.io.Serial;

/**
 * Thrown by a Weft wait (a mutex or semaphore acquire, and later IFC, I/O and timer
 * waits) when the waiting fiber was {@linkplain Fiber#kill() killed} before the wait was
 * satisfied. The wait is withdrawn: the fiber holds nothing it was waiting for.
 */
public class FiberKilledException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public FiberKilledException(String message) {
        super(message);
    }
}
