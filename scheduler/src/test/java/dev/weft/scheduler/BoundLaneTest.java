package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BoundLaneTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void boundFibersAndTheirChildrenRunOnlyOnTheServingThread() throws Exception {
        WeftScheduler s = WeftScheduler.builder().workers(2).build();
        BoundLane lane = s.newBoundLane("main-loop");
        Set<Thread> carriers = ConcurrentHashMap.newKeySet();
        Thread server = Thread.ofPlatform().name("lane-server").start(lane::run);
        List<Thread> fibers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fibers.add(lane.ofVirtual().start(() -> {
                for (int k = 0; k < 20; k++) {
                    carriers.add(CarrierHook.currentCarrier());
                    Thread.yield();
                    LockSupport.parkNanos(1000);
                }
                Thread child = Thread.ofVirtual().start(() -> carriers.add(CarrierHook.currentCarrier()));
                try {
                    child.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                assertTrue(Fiber.current().isBound());
            }));
        }
        // Ordinary fibers keep running on the workers meanwhile.
        Set<Thread> workerCarriers = ConcurrentHashMap.newKeySet();
        s.ofVirtual().start(() -> workerCarriers.add(CarrierHook.currentCarrier())).join();
        for (Thread f : fibers) {
            f.join();
        }
        assertEquals(Set.of(server), carriers);
        assertFalse(workerCarriers.contains(server));
        s.close();
        server.join();                      // run() returns once the scheduler has terminated
    }

    @Test
    void runIsForOnePlatformThreadAndClosedLanesRejectStarts() throws Exception {
        try (WeftScheduler s = WeftScheduler.builder().workers(1).build()) {
            BoundLane lane = s.newBoundLane("x");
            Throwable[] fromVirtual = new Throwable[1];
            Thread.ofVirtual().start(() -> {
                try {
                    lane.run();
                } catch (Throwable t) {
                    fromVirtual[0] = t;
                }
            }).join();
            assertInstanceOf(IllegalStateException.class, fromVirtual[0]);
            lane.close();
            assertThrows(RejectedExecutionException.class, () -> lane.ofVirtual().start(() -> { }));
            lane.run();                     // closed and nothing bound: returns at once
        }
    }
}
