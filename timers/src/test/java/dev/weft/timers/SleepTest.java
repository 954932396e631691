package dev.weft.timers;

import dev.weft.scheduler.Bounded;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.FiberKilledException;
import dev.weft.scheduler.Wake;
import dev.weft.scheduler.Weft;
import dev.weft.scheduler.WeftScheduler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Weft.sleep and prepareSleep with a deadline, served by the timer fiber. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SleepTest {
    private final WeftScheduler scheduler = WeftScheduler.builder().workers(2).name("sleep-test").build();

    @AfterEach
    void close() throws Exception {
        Bounded.close(scheduler, "SleepTest");
    }

    private <T> T onFiber(Fibers.Body<T> body) throws Exception {
        return Fibers.run(scheduler, body);
    }

    @Test
    void sleepLastsAtLeastItsDuration() throws Exception {
        long slept = onFiber(() -> {
            long t0 = System.nanoTime();
            Weft.sleep(Duration.ofMillis(20));
            return System.nanoTime() - t0;
        });
        assertTrue(slept >= TimeUnit.MILLISECONDS.toNanos(20), "woke after " + slept + " ns");
    }

    @Test
    void zeroAndNegativeReturnAtOnceAndTimeoutIsReportedAsTimeout() throws Exception {
        int r = onFiber(() -> {
            Weft.sleep(Duration.ZERO);
            Weft.sleep(Duration.ofMillis(-5));
            Fiber f = Fiber.current();
            f.prepareSleep(Wake.user(0), System.nanoTime() - 1);
            return f.sleep();
        });
        assertEquals(Wake.TIMEOUT, r);
    }

    /** The wake that comes first wins; the other finds the sleep over. */
    @Test
    void realWakeBeforeDeadlineReturnsTheWakeNotTimeout() throws Exception {
        int r = onFiber(() -> {
            Fiber f = Fiber.current();
            f.prepareSleep(Wake.user(0), Weft.deadlineAfter(Duration.ofHours(1)));
            Thread.ofPlatform().start(() -> f.wake(Wake.user(0)));
            return f.sleep();
        });
        assertEquals(Wake.user(0), r);
    }

    @Test
    void sleepForeverEndsOnKillAndInterrupt() throws Exception {
        AtomicReference<Throwable> ended = new AtomicReference<>();
        AtomicReference<Fiber> sleeper = new AtomicReference<>();
        CountDownLatch sleeping = new CountDownLatch(1), done = new CountDownLatch(1);
        scheduler.ofVirtual().start(() -> {
            try {
                sleeper.set(Fiber.current());
                sleeping.countDown();
                Weft.sleep(Duration.ofSeconds(Long.MAX_VALUE));   // clamped: no deadline, never wraps
            } catch (Throwable e) {
                ended.set(e);
            }
            done.countDown();
        });
        sleeping.await();
        sleeper.get().kill();
        assertTrue(done.await(30, TimeUnit.SECONDS));
        assertInstanceOf(FiberKilledException.class, ended.get());

        CountDownLatch done2 = new CountDownLatch(1);
        AtomicReference<Throwable> ended2 = new AtomicReference<>();
        Thread t2 = scheduler.ofVirtual().start(() -> {
            try {
                Weft.sleep(Duration.ofHours(1));
            } catch (Throwable e) {
                ended2.set(e);
            }
            done2.countDown();
        });
        t2.interrupt();
        assertTrue(done2.await(30, TimeUnit.SECONDS));
        assertInstanceOf(InterruptedException.class, ended2.get());
    }

    /** The timers benchmark's load: 100,000 fibers sleep 1 ms ten times; every one wakes every time. */
    @Test
    void hundredThousandFibersSleepTenTimes() throws Exception {
        int fibers = 100_000;
        CountDownLatch done = new CountDownLatch(fibers);
        AtomicLong wakes = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < fibers; i++) {
            scheduler.ofVirtual().start(() -> {
                try {
                    for (int k = 0; k < 10; k++) {
                        Weft.sleep(Duration.ofMillis(1));
                        wakes.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                done.countDown();
            });
        }
        assertTrue(done.await(90, TimeUnit.SECONDS), "still sleeping: " + done.getCount() + " fibers");
        assertNull(failure.get());
        assertEquals(fibers * 10L, wakes.get());
        // 10^6 timed waits later: no timer node and no fiber left behind (the timer fiber is the one live fiber).
        await().atMost(Bounded.HANG).until(() -> scheduler.stats().liveFibers() == 1);
        assertEquals(0, Fibers.pendingTimers(scheduler), "every fiber's timeout left the heap when the fiber exited");
    }

    /**
     * A burst of 5,000 timeouts due at one deadline is fired in slices: with one worker,
     * fibers woken by the first slices run before the last timeout fires. The fiber armed
     * last fires last (equal deadlines fire in arm order); fired in one slice, it would
     * find no other fiber awake yet.
     */
    @Test
    void aBurstOfTimeoutsDueTogetherIsFiredInSlices() throws Exception {
        WeftScheduler one = WeftScheduler.builder().workers(1).maxSpares(0).name("timeout-burst").build();
        try {
            int fibers = 5_000;
            long due = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            CountDownLatch armed = new CountDownLatch(fibers);
            AtomicLong awake = new AtomicLong();
            for (int i = 0; i < fibers; i++) {
                one.ofVirtual().start(() -> {
                    armed.countDown();              // one worker: the arm below is sent before the next fiber runs
                    sleepUntil(due);
                    awake.incrementAndGet();
                });
            }
            assertTrue(armed.await(60, TimeUnit.SECONDS));
            long seenByLast = Fibers.run(one, () -> {
                sleepUntil(due);
                return awake.get();
            });
            assertTrue(seenByLast > 0, "the last timeout fired before any woken fiber ran: one slice");
        } finally {
            Bounded.close(one, "SleepTest");
        }
    }

    /**
     * A fiber's arm for 120 s waits quietly in the timer fiber's mailbox (the alarm is set
     * earlier, for another fiber's 5 s sleep); the fiber ends that sleep and sleeps 5 ms.
     * Its update coalesces onto the one still queued, and must still wake the timer fiber:
     * the 5 ms sleep ends long before the 5 s alarm.
     */
    @Test
    void anEarlierDeadlineWhoseUpdateIsQueuedAlreadyStillWakesTheTimerFiber() throws Exception {
        Thread other = scheduler.ofVirtual().start(() -> {
            try {
                Weft.sleep(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                // the test is over
            }
        });
        await().atMost(Bounded.HANG).until(() -> Fibers.pendingTimers(scheduler) == 1);   // the alarm is at 5 s
        long slept = onFiber(() -> {
            Fiber f = Fiber.current();
            f.prepareSleep(Wake.user(0), System.nanoTime() + TimeUnit.SECONDS.toNanos(120));   // posted quietly
            f.cancelSleep();
            long t0 = System.nanoTime();
            Weft.sleep(Duration.ofMillis(5));
            return System.nanoTime() - t0;
        });
        other.interrupt();
        assertTrue(slept < TimeUnit.MILLISECONDS.toNanos(2_500), "a 5 ms sleep took " + slept / 1_000_000 + " ms");
    }

    /** Sleeps on the calling fiber until {@code deadline}, which every caller shares exactly. */
    private static void sleepUntil(long deadline) {
        Fiber f = Fiber.current();
        f.prepareSleep(Wake.user(0), deadline);
        f.sleep();
    }

    /** Many timed sleeps that are mostly woken early: the lazy cancels never fire a later sleep early. */
    @Test
    void lazilyCancelledTimeoutsNeverFireALaterSleep() throws Exception {
        int early = onFiber(() -> {
            Fiber f = Fiber.current();
            int earlyTimeouts = 0;
            for (int i = 0; i < 200; i++) {                 // 200 rounds of ~2 ms
                // a short deadline, woken at once: leaves a lazily cancelled node in the heap
                f.prepareSleep(Wake.user(0), Weft.deadlineAfter(Duration.ofMillis(1)));
                f.wake(Wake.user(0));
                f.sleep();
                // a longer deadline that must not be cut short by the old node surfacing
                long t0 = System.nanoTime();
                f.prepareSleep(Wake.user(1), Weft.deadlineAfter(Duration.ofMillis(2)));
                int r = f.sleep();
                if ((r & Wake.TIMEOUT) != 0 && System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(2)) {
                    earlyTimeouts++;
                }
            }
            return earlyTimeouts;
        });
        assertEquals(0, early, "timeouts that fired before their deadline");
    }
}
