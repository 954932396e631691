package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A timed park that Weft's timers cannot take (here: no timer service on the class path,
 * as in this module's tests) is still served, by the JDK's own executor: the park must
 * time out whatever happens to Weft's side.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JdkTimedParksFallbackTest {
    @Test
    void aParkWeftsTimersCannotTakeGoesToTheJdksExecutor() throws Exception {
        ScheduledThreadPoolExecutor jdk = new ScheduledThreadPoolExecutor(1);
        JdkTimedParks parks = new JdkTimedParks(jdk);
        WeftScheduler s = WeftScheduler.builder().workers(1).name("timed-parks-fallback").build();
        CountDownLatch fired = new CountDownLatch(1);
        CompletableFuture<ScheduledFuture<?>> scheduled = new CompletableFuture<>();
        // Runs on the worker's carrier as a slice of this block, as the JDK's afterYield does.
        Fiber parking = new Fiber(s, Thread.currentThread(), () -> scheduled.complete(
                parks.schedule(fired::countDown, 1, TimeUnit.MILLISECONDS)), Priority.NORMAL, null, false);
        s.submit(parking);
        ScheduledFuture<?> f = scheduled.get(30, TimeUnit.SECONDS);
        Bounded.await(fired, "the park's timeout, served by the JDK's executor");
        org.awaitility.Awaitility.await().atMost(Bounded.HANG).until(f::isDone);   // the JDK's future, not a Weft node
        assertFalse(f instanceof java.util.concurrent.Delayed && f.getClass().getName().startsWith("dev.weft"));
        jdk.shutdown();
        Bounded.close(s, "aParkWeftsTimersCannotTakeGoesToTheJdksExecutor");
    }

    @Test
    void theSwitchTakesWeftOrJdkAndNamesItselfOtherwise() {
        String before = System.getProperty(JdkTimedParks.PROPERTY);
        try {
            System.setProperty(JdkTimedParks.PROPERTY, "jdk");
            assertFalse(JdkTimedParks.wanted());
            System.setProperty(JdkTimedParks.PROPERTY, "weft");
            assertEquals(TimerServices.present(), JdkTimedParks.wanted(), "on Weft's timers only when they are there");
            System.setProperty(JdkTimedParks.PROPERTY, "fast");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, JdkTimedParks::wanted);
            assertTrue(e.getMessage().contains(JdkTimedParks.PROPERTY) && e.getMessage().contains("fast"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(JdkTimedParks.PROPERTY);
            } else {
                System.setProperty(JdkTimedParks.PROPERTY, before);
            }
        }
    }
}
