package dev.weft.scheduler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PinnedCarrierTest {

    /** Every carrier spins until another fiber runs: only a spare worker can run that fiber. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withEveryCarrierPinnedOtherFibersStillFinish() throws Exception {
        AtomicBoolean released = new AtomicBoolean();
        try (WeftScheduler s = WeftScheduler.builder().workers(2).maxSpares(2)
                .pinnedThreshold(Duration.ofMillis(10)).spareKeepAlive(Duration.ofMillis(200)).build()) {
            CountDownLatch pinnedBoth = new CountDownLatch(2);
            List<Thread> spinners = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                spinners.add(s.ofVirtual(Priority.HIGH).start(() -> {
                    pinnedBoth.countDown();
                    while (!released.get()) {
                        Thread.onSpinWait();    // a CPU loop never unmounts
                    }
                }));
            }
            pinnedBoth.await();
            Thread releaser = s.ofVirtual().start(() -> released.set(true));
            releaser.join();
            for (Thread t : spinners) {
                t.join();
            }
            await().atMost(Bounded.HANG).until(() -> s.stats().sparesAdded() >= 1);   // counted after the spare started
            await().atMost(Bounded.HANG).until(() -> s.stats().sparesRetired() >= 1);
            await().atMost(Bounded.HANG).until(() -> s.stats().spares() == 0);
        } finally {
            released.set(true);          // a failed assertion must not leave spinners for close() to wait on
        }
    }

    /**
     * A spare started for a pinned carrier leaves once the pin ends, though the load goes
     * on and the spare is never idle (its keep-alive is ten minutes): the load runs on the
     * core carriers again, not on more threads than it had.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSpareLeavesWhenThePinEndsWhileTheLoadGoesOn() throws Exception {
        AtomicBoolean pinReleased = new AtomicBoolean(), loadStopped = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong loadSlices = new java.util.concurrent.atomic.AtomicLong();
        WeftScheduler s = WeftScheduler.builder().workers(2).maxSpares(2)
                .pinnedThreshold(Duration.ofMillis(10)).spareKeepAlive(Duration.ofMinutes(10)).build();
        try {
            CountDownLatch pinning = new CountDownLatch(1);
            Thread pin = s.ofVirtual().start(() -> {
                pinning.countDown();
                while (!pinReleased.get()) {
                    Thread.onSpinWait();
                }
            });
            pinning.await();
            List<Thread> load = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                load.add(s.ofVirtual().start(() -> {
                    while (!loadStopped.get()) {
                        long until = System.nanoTime() + 100_000;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        loadSlices.incrementAndGet();
                        Thread.yield();
                    }
                }));
            }
            await().atMost(Bounded.HANG).until(() -> s.stats().sparesAdded() >= 1);
            pinReleased.set(true);
            pin.join();
            await().atMost(Bounded.HANG).until(() -> s.stats().spares() == 0);
            long before = loadSlices.get();
            await().atMost(Bounded.HANG).until(() -> loadSlices.get() > before + 100);   // the load still runs
            assertEquals(s.stats().sparesAdded(), s.stats().sparesRetired(), "every spare started left: " + s.stats());
            loadStopped.set(true);
            for (Thread t : load) {
                t.join();
            }
        } finally {
            pinReleased.set(true);
            loadStopped.set(true);
            Bounded.close(s, "PinnedCarrierTest");
        }
    }
}
