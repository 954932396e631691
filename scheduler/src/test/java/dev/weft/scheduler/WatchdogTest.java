package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The watchdog judges by the time it watched: a gap between two of its ticks (a GC pause,
 * or the OS not running it) counts as two ticks at most. A second watchdog, driven here
 * with made-up tick times, watches a carrier that one fiber really holds; the scheduler's
 * own watchdog has a 30 s threshold and never flags it. Once the pin ends, spares are
 * still wanted for the pinned threshold, so a load whose pins come and go does not start
 * and end a thread every tick.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WatchdogTest {
    private static final long MS = 1_000_000L;

    @Test
    void aStallIsNotAPinAndSparesAreWantedForTheThresholdAfterAPin() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        WeftScheduler s = WeftScheduler.builder().workers(1).maxSpares(0).pinnedThreshold(Duration.ofSeconds(30)).build();
        try {
            CountDownLatch holding = new CountDownLatch(1);
            s.ofVirtual().start(() -> {
                holding.countDown();
                while (!release.get()) {
                    Thread.onSpinWait();       // never unmounts: the carrier really is held
                }
            });
            holding.await();
            Watchdog w = new Watchdog(s, 50 * MS, 20 * MS);   // ticks every 5 ms
            long t = System.nanoTime();
            assertEquals(0, w.check(t += MS), "first look at the carrier");
            assertEquals(0, w.check(t += 200 * MS), "200 ms without a tick count as 10 ms watched, under the 20 ms threshold");
            assertEquals(0, w.check(t += 5 * MS), "15 ms watched");
            assertEquals(1, w.check(t += 5 * MS), "20 ms watched: now it is pinned");
            assertTrue(w.sparesWanted);
            release.set(true);
            org.awaitility.Awaitility.await().atMost(Bounded.HANG).until(() -> s.workers[0].running() == null);
            assertEquals(0, w.check(t += 5 * MS), "the pin ended");
            assertTrue(w.sparesWanted, "spares stay until no pin was seen for the threshold: 5 ms");
            w.check(t += 5 * MS);
            w.check(t += 5 * MS);
            assertTrue(w.sparesWanted, "15 ms without a pin");
            w.check(t += 5 * MS);
            assertFalse(w.sparesWanted, "20 ms without a pin: spares may leave");
        } finally {
            release.set(true);
            Bounded.close(s, "WatchdogTest");
        }
    }
}
