package dev.weft.timers;

import dev.weft.scheduler.Bounded;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.WeftScheduler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.awaitility.Awaitility.await;

/** The ScheduledExecutorService facade on the timer fiber. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScheduledExecutorTest {
    private final WeftScheduler scheduler = WeftScheduler.builder().workers(2).name("ses-test").build();
    private final ScheduledExecutorService ses = WeftTimers.scheduledExecutor(scheduler);

    @AfterEach
    void close() throws Exception {
        ses.shutdownNow();
        assertTrue(ses.awaitTermination(30, TimeUnit.SECONDS));
        Bounded.close(scheduler, "ScheduledExecutorTest");
    }

    @Test
    void tasksRunOnFibersOfTheSchedulerInDeadlineOrder() throws Exception {
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(3);
        Fiber[] ranOn = new Fiber[1];
        ses.schedule(() -> { order.add(3); done.countDown(); }, 900, TimeUnit.MILLISECONDS);
        ses.schedule(() -> { order.add(1); ranOn[0] = Fiber.current(); done.countDown(); }, 100, TimeUnit.MILLISECONDS);
        ScheduledFuture<String> f = ses.schedule(() -> { order.add(2); done.countDown(); return "two"; }, 500, TimeUnit.MILLISECONDS);
        assertTrue(done.await(30, TimeUnit.SECONDS));
        assertEquals(List.of(1, 2, 3), order);
        assertEquals("two", f.get());
        assertNotNull(ranOn[0], "ran on a Weft fiber");
        assertSame(scheduler, ranOn[0].scheduler());
    }

    @Test
    void cancelledTaskNeverRunsAndCancelAfterRunReportsFalse() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        ScheduledFuture<?> never = ses.schedule(ran::incrementAndGet, 500, TimeUnit.MILLISECONDS);
        assertTrue(never.cancel(false));
        ScheduledFuture<?> once = ses.schedule(ran::incrementAndGet, 1, TimeUnit.MILLISECONDS);
        once.get(30, TimeUnit.SECONDS);
        assertFalse(once.cancel(false), "cancel after the run is a no-op that says so");
        ScheduledFuture<?> marker = ses.schedule(() -> { }, 800, TimeUnit.MILLISECONDS);
        marker.get(30, TimeUnit.SECONDS);              // past the cancelled one's deadline
        assertEquals(1, ran.get());
        assertTrue(never.isCancelled());
    }

    @Test
    void zeroNegativeAndHugeDelays() throws Exception {
        assertEquals("now", ses.schedule(() -> "now", 0, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS));
        assertEquals("past", ses.schedule(() -> "past", -5, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS));
        ScheduledFuture<?> far = ses.schedule(() -> { }, Long.MAX_VALUE, TimeUnit.DAYS);   // clamped, never wraps
        assertTrue(far.getDelay(TimeUnit.DAYS) > 365 * 100, "far in the future: " + far.getDelay(TimeUnit.DAYS));
        assertFalse(far.isDone());
        assertThrows(IllegalArgumentException.class, () -> ses.scheduleAtFixedRate(() -> { }, 0, 0, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> ses.scheduleWithFixedDelay(() -> { }, 0, -1, TimeUnit.SECONDS));
    }

    @Test
    void fixedRateAndFixedDelayRepeatUntilCancelled() throws Exception {
        AtomicInteger rate = new AtomicInteger(), delay = new AtomicInteger();
        ScheduledFuture<?> r = ses.scheduleAtFixedRate(rate::incrementAndGet, 0, 2, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> d = ses.scheduleWithFixedDelay(delay::incrementAndGet, 0, 2, TimeUnit.MILLISECONDS);
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> rate.get() >= 10 && delay.get() >= 10);
        assertTrue(r.cancel(false));
        assertTrue(d.cancel(false));
        int afterCancel = rate.get();
        ses.schedule(() -> { }, 20, TimeUnit.MILLISECONDS).get(30, TimeUnit.SECONDS);
        assertTrue(rate.get() <= afterCancel + 1, "at most a run already started when cancelled");
    }

    @Test
    void shutdownRunsDelayedOneShotsStopsPeriodicAndRejectsNew() throws Exception {
        AtomicInteger periodic = new AtomicInteger();
        ses.scheduleAtFixedRate(periodic::incrementAndGet, 0, 1, TimeUnit.MILLISECONDS);
        ScheduledFuture<String> delayed = ses.schedule(() -> "ran", 30, TimeUnit.MILLISECONDS);
        ses.shutdown();
        assertThrows(RejectedExecutionException.class, () -> ses.schedule(() -> { }, 1, TimeUnit.MILLISECONDS));
        assertEquals("ran", delayed.get(30, TimeUnit.SECONDS));
        assertTrue(ses.awaitTermination(30, TimeUnit.SECONDS));
        assertTrue(ses.isTerminated());
    }

    @Test
    void shutdownNowReturnsWhatNeverRan() throws Exception {
        for (int i = 0; i < 10; i++) {
            ses.schedule(() -> { }, 1, TimeUnit.HOURS);
        }
        assertEquals(10, ses.shutdownNow().size());
        assertTrue(ses.awaitTermination(30, TimeUnit.SECONDS));
    }

    /** A million pending timers, then cancel all: the timer fiber's heap empties. */
    @Test
    void millionPendingThenCancelAll() throws Exception {
        int n = 1_000_000;
        ScheduledFuture<?>[] fs = new ScheduledFuture<?>[n];
        for (int i = 0; i < n; i++) {
            fs[i] = ses.schedule(() -> { }, 3600 + (i % 3600), TimeUnit.SECONDS);   // none due during the test
        }
        TimerFiber timers = TimerFiber.of(scheduler);
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> pending(timers) == n);
        for (ScheduledFuture<?> f : fs) {
            assertTrue(f.cancel(false));
        }
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> pending(timers) == 0);
    }

    /** The heap's size, read on the timer fiber itself (the heap is its alone). */
    private static int pending(TimerFiber timers) throws Exception {
        dev.weft.scheduler.FiberCall probe = new dev.weft.scheduler.FiberCall(timers::pending);
        timers.call(probe);
        return (Integer) probe.await();
    }
}
