package dev.weft.timers;

import dev.weft.scheduler.Bounded;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.io.PollerAlarm;
import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.Wake;
import dev.weft.scheduler.Weft;
import dev.weft.scheduler.WeftScheduler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The timer fiber on the alternative alarm: deadlines folded into the poller's epoll_wait timeout. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PollerAlarmTest {
    @Test
    void sleepsAndTimeoutsWorkOnThePollerAlarm() throws Exception {
        WeftScheduler s;
        System.setProperty("dev.weft.timers.alarm", "poller");
        try {
            s = WeftScheduler.builder().workers(2).name("poller-alarm").build();
            Fibers.run(s, () -> {
                Weft.sleep(Duration.ofMillis(1));      // starts the timer fiber while the property is set
                return null;
            });
        } finally {
            System.clearProperty("dev.weft.timers.alarm");
        }
        try {
            assertInstanceOf(PollerAlarm.class, TimerFiber.of(s).alarm());
            long slept = Fibers.run(s, () -> {
                long t0 = System.nanoTime();
                Weft.sleep(Duration.ofMillis(20));
                return System.nanoTime() - t0;
            });
            assertTrue(slept >= TimeUnit.MILLISECONDS.toNanos(20), "woke after " + slept + " ns");
            int r = Fibers.run(s, () -> {
                Fiber f = Fiber.current();
                f.prepareSleep(Wake.user(0), Weft.deadlineAfter(Duration.ofMillis(5)));
                return f.sleep();
            });
            assertEquals(Wake.TIMEOUT, r);
            int fibers = 2_000;
            CountDownLatch done = new CountDownLatch(fibers);
            AtomicLong wakes = new AtomicLong();
            for (int i = 0; i < fibers; i++) {
                int k = i;
                s.ofVirtual().start(() -> {
                    try {
                        for (int j = 0; j < 5; j++) {
                            Weft.sleep(Duration.ofMillis(1 + (k + j) % 7));
                            wakes.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    done.countDown();
                });
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "still sleeping: " + done.getCount());
            assertEquals(fibers * 5L, wakes.get());
        } finally {
            Bounded.close(s, "PollerAlarmTest");
        }
    }
}
