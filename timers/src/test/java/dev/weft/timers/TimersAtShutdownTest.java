package dev.weft.timers;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.Bounded;
import dev.weft.scheduler.Weft;
import dev.weft.scheduler.WeftScheduler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The timer fiber serves the scheduler's fibers to the end, and its facade says when it no longer can. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TimersAtShutdownTest {

    /** A fiber asleep (in Weft's timers) that drains after an interrupt: sleeps once more, then counts down. */
    private static Thread drainingSleeper(WeftScheduler s, CountDownLatch drained) throws InterruptedException {
        CountDownLatch sleeping = new CountDownLatch(1);
        Thread fiber = s.ofVirtual().start(() -> {
            try {
                sleeping.countDown();
                Weft.sleep(Duration.ofDays(1));
            } catch (InterruptedException stop) {
                try {
                    Weft.sleep(Duration.ofMillis(20));             // the graceful drain: a timed wait after the interrupt
                    drained.countDown();
                } catch (InterruptedException again) {
                    fail("interrupted twice");
                }
            }
        });
        Bounded.await(sleeping, "sleeper started");
        await().atMost(Bounded.HANG).until(() -> fiber.getState() == Thread.State.WAITING);   // in its sleep: the timer fiber runs
        return fiber;
    }

    @Test
    void shutdownNowLeavesTheTimerFiberServingTheFibersItInterrupted() throws Exception {
        WeftScheduler s = WeftScheduler.builder().workers(2).name("timers-shutdown-now").build();
        CountDownLatch drained = new CountDownLatch(1);
        Thread fiber = drainingSleeper(s, drained);
        java.util.List<Thread> interrupted = s.shutdownNow();
        assertTrue(interrupted.contains(fiber), "the user fiber was interrupted");
        assertTrue(interrupted.stream().noneMatch(t -> t.getName().endsWith("-timers")),
                "the timer fiber is a service, not interrupted: " + interrupted);
        Bounded.await(drained, "the timed wait after the interrupt");
        Bounded.close(s, "shutdownNowLeavesTheTimerFiberServingTheFibersItInterrupted");
    }

    @Test
    void closeInterruptedStillEndsWithTimedWaitsServed() throws Exception {
        WeftScheduler s = WeftScheduler.builder().workers(2).name("timers-close-interrupted").build();
        CountDownLatch drained = new CountDownLatch(1);
        drainingSleeper(s, drained);
        Thread closer = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();                    // close() falls back to shutdownNow()
            s.close();
        });
        Bounded.join(closer, "close() of an interrupted thread");
        assertEquals(0, drained.getCount(), "the fiber's drain sleep was served");
        assertTrue(s.isTerminated());
    }

    @Test
    void theFacadeOfATerminatedSchedulerRejectsAndCloses() throws Exception {
        WeftScheduler s = WeftScheduler.builder().workers(1).name("timers-facade-terminated").build();
        ScheduledExecutorService ses = WeftTimers.scheduledExecutor(s);
        ses.schedule(() -> { }, 1, TimeUnit.MILLISECONDS).get(30, TimeUnit.SECONDS);
        Bounded.close(s, "theFacadeOfATerminatedSchedulerRejectsAndCloses");
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                () -> ses.schedule(() -> { }, 1, TimeUnit.MILLISECONDS));
        assertTrue(e.getMessage().contains("timers-facade-terminated"), e.getMessage());
        Thread closer = Thread.ofPlatform().start(ses::close);
        Bounded.join(closer, "close() of the facade of a terminated scheduler");
        assertTrue(ses.isTerminated());
        assertThrows(RejectedExecutionException.class, () -> WeftTimers.scheduledExecutor(s),
                "a new facade on a terminated scheduler is refused");
    }

    @Test
    void tasksStillPendingWhenTheSchedulerTerminatesAreCancelledNotLost() throws Exception {
        WeftScheduler s = WeftScheduler.builder().workers(1).name("timers-pending-at-end").build();
        ScheduledExecutorService ses = WeftTimers.scheduledExecutor(s);
        var pending = ses.schedule(() -> { }, 1, TimeUnit.DAYS);
        Bounded.close(s, "tasksStillPendingWhenTheSchedulerTerminatesAreCancelledNotLost");
        assertTrue(pending.isCancelled(), "a task that can never run is cancelled, its future done");
        ses.shutdown();
        assertTrue(ses.awaitTermination(30, TimeUnit.SECONDS), "the facade terminates: nothing pending");
    }
}
