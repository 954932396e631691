package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Service fibers (the timer fiber's kind) and deadlines without weft-timers on the class path. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServiceFiberTest {
    /** A service loop: sleeps on a user reason until killed. */
    private static Runnable serviceLoop(AtomicBoolean sawKill) {
        return () -> {
            Fiber f = Fiber.current();
            for (;;) {
                f.prepareSleep(Wake.user(0));
                if ((f.sleep() & Wake.KILL) != 0) {
                    sawKill.set(true);
                    return;
                }
            }
        };
    }

    @Test
    void servicesDoNotHoldUpTerminationButOutliveTheFibersTheyServe() throws Exception {
        WeftScheduler s = WeftScheduler.builder().workers(2).name("service-test").build();
        AtomicBoolean killed = new AtomicBoolean();
        Fiber service = s.startService("svc", serviceLoop(killed));
        CountDownLatch release = new CountDownLatch(1);
        s.ofVirtual().start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        s.shutdown();
        assertFalse(s.awaitTermination(50, TimeUnit.MILLISECONDS), "a regular fiber still runs");
        assertFalse(killed.get(), "the service lives while a fiber it serves runs");
        AtomicBoolean killed2 = new AtomicBoolean();
        s.startService("late-svc", serviceLoop(killed2));   // allowed after shutdown while fibers run
        release.countDown();
        assertTrue(s.awaitTermination(30, TimeUnit.SECONDS), "services killed once the last fiber exited");
        assertTrue(killed.get() && killed2.get());
        assertTrue(service.isKilled());
        assertThrows(RejectedExecutionException.class, () -> s.startService("too-late", () -> { }));
    }

    @Test
    void serviceStartedAfterTheLastFiberIsEndedAtOnce() throws Exception {
        WeftScheduler s = WeftScheduler.builder().workers(1).name("service-late").build();
        s.ofVirtual().start(() -> { }).join();
        s.shutdown();
        AtomicBoolean killed = new AtomicBoolean();
        try {
            s.startService("svc", serviceLoop(killed));
        } catch (RejectedExecutionException terminatedAlready) {
            killed.set(true);                 // the scheduler may already be past SHUTDOWN: refused, fine
        }
        assertTrue(s.awaitTermination(30, TimeUnit.SECONDS));
        assertTrue(killed.get());
    }

    @Test
    void deadlineWithoutTimersOnTheClassPathFailsNamingTheModule() throws Exception {
        try (WeftScheduler s = WeftScheduler.builder().workers(1).name("no-timers").build()) {
            CompletableFuture<Throwable> got = new CompletableFuture<>();
            s.ofVirtual().start(() -> {
                try {
                    Fiber.current().prepareSleep(Wake.user(0), Weft.deadlineAfter(Duration.ofSeconds(1)));
                    got.complete(null);
                } catch (Throwable t) {
                    got.complete(t);
                }
            });
            Throwable t = got.get(30, TimeUnit.SECONDS);
            assertInstanceOf(IllegalStateException.class, t);
            assertTrue(t.getMessage().contains("weft-timers"), t.getMessage());
        }
    }

    @Test
    void deadlinesSaturateAndPlatformThreadsSleepTheJdkWay() throws Exception {
        assertEquals(Long.MAX_VALUE, Weft.deadlineAfter(Duration.ofSeconds(Long.MAX_VALUE)));
        assertEquals(Long.MAX_VALUE, Weft.deadlineAfterNanos(Long.MAX_VALUE));
        long now = System.nanoTime();
        assertTrue(Weft.deadlineAfter(Duration.ofSeconds(-5)) - now <= TimeUnit.SECONDS.toNanos(1), "negative: now");
        assertTrue(Weft.deadlineAfter(Duration.ofSeconds(Long.MIN_VALUE)) - System.nanoTime() <= 0);
        long t0 = System.nanoTime();
        Weft.sleep(Duration.ofMillis(5));      // not a fiber: Thread.sleep
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(5));
    }
}
