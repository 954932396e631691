package dev.weft.timers;

import dev.weft.scheduler.WeftScheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Test helpers: run a body on a fiber and get its result; find a thread's control block. */
final class Fibers {
    private Fibers() { }

    interface Body<T> {
        T run() throws Exception;
    }

    /** The nodes in {@code scheduler}'s timer heap now, read on the timer fiber. */
    static int pendingTimers(WeftScheduler scheduler) throws Exception {
        TimerFiber timers = TimerFiber.of(scheduler);
        dev.weft.scheduler.FiberCall count = new dev.weft.scheduler.FiberCall(timers::pending);
        timers.call(count);
        return (Integer) count.await(java.time.Duration.ofSeconds(30));
    }

    static <T> T run(WeftScheduler scheduler, Body<T> body) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        scheduler.ofVirtual().start(() -> {
            try {
                f.complete(body.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }
}
