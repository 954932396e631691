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
 * own watchdog has a 30 s threshold and never flags it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WatchdogTest {
    private static final long MS = 1_000_000L;

    @Test
    void aStallOfTheWatchdogIsNotTakenForAPinnedCarrier() throws Exception {
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
        } finally {
            release.set(true);
            Bounded.close(s, "WatchdogTest");
        }
    }
}
