package dev.weft.scheduler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PriorityTest {
    /** One worker, no spares, no starvation promotion in the test's time scale: order is the lanes' alone. */
    private static WeftScheduler oneWorker(Duration starvationBound) {
        return WeftScheduler.builder().workers(1).maxSpares(0).starvationBound(starvationBound).build();
    }

    @Test
    void fifoWithinALane() throws Exception {
        try (WeftScheduler s = oneWorker(Duration.ofHours(1))) {
            Gate gate = new Gate();
            gate.occupy(s);
            ConcurrentLinkedQueue<Integer> order = new ConcurrentLinkedQueue<>();
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                ts.add(s.ofVirtual(Priority.NORMAL).start(() -> order.add(n)));
            }
            gate.open();
            for (Thread t : ts) {
                t.join();
            }
            assertEquals(IntStream.range(0, 200).boxed().toList(), new ArrayList<>(order));
        }
    }

    @Test
    void highRunsBeforeQueuedLowAndNormal() throws Exception {
        try (WeftScheduler s = oneWorker(Duration.ofHours(1))) {
            Gate gate = new Gate();
            gate.occupy(s);
            ConcurrentLinkedQueue<Priority> order = new ConcurrentLinkedQueue<>();
            List<Thread> ts = new ArrayList<>();
            for (Priority p : List.of(Priority.LOW, Priority.NORMAL, Priority.HIGH)) {
                for (int i = 0; i < 20; i++) {
                    ts.add(s.ofVirtual(p).start(() -> order.add(p)));
                }
            }
            gate.open();
            for (Thread t : ts) {
                t.join();
            }
            List<Priority> expected = new ArrayList<>();
            for (Priority p : Priority.values()) {
                for (int i = 0; i < 20; i++) {
                    expected.add(p);
                }
            }
            assertEquals(expected, new ArrayList<>(order));
        }
    }

    @Test
    void starvingLowIsServedUnderAHighFlood() throws Exception {
        try (WeftScheduler s = oneWorker(Duration.ofMillis(20))) {
            AtomicBoolean lowRan = new AtomicBoolean();
            List<Thread> flood = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                flood.add(s.ofVirtual(Priority.HIGH).start(() -> {
                    while (!lowRan.get()) {
                        Thread.yield();        // always runnable, always HIGH
                    }
                }));
            }
            Thread low = s.ofVirtual(Priority.LOW).start(() -> lowRan.set(true));
            await().atMost(Duration.ofSeconds(30)).untilTrue(lowRan);
            low.join();
            for (Thread t : flood) {
                t.join();
            }
            assertTrue(s.stats().starvationPromotions() >= 1, s.stats().toString());
        }
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        var b = WeftScheduler.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.workers(0)).getMessage().contains("workers"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maxSpares(-1)).getMessage().contains("-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.starvationBound(Duration.ZERO)).getMessage()
                .contains("starvationBound"));
        assertThrows(NullPointerException.class, () -> b.pinnedThreshold(null));
        assertThrows(IllegalArgumentException.class, () -> b.spareKeepAlive(Duration.ofMillis(-5)));
    }
}
