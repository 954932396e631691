package dev.weft.scheduler;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds a carrier busy (a fiber spinning on the CPU, so it does not unmount) until
 * opened: lets a test queue work behind a busy worker and then watch the order it runs in.
 */
final class Gate {
    private final AtomicBoolean open = new AtomicBoolean();
    private final CountDownLatch entered = new CountDownLatch(1);

    /** Starts a fiber that occupies one carrier of {@code s}; returns once it is running. */
    Thread occupy(WeftScheduler s) throws InterruptedException {
        Thread t = s.ofVirtual(Priority.HIGH).start(() -> {
            entered.countDown();
            while (!open.get()) {
                Thread.onSpinWait();
            }
        });
        entered.await();
        return t;
    }

    void open() {
        open.set(true);
    }
}
