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

    /**
     * An interrupt of the thread serving a lane does not stop it serving, and its wait
     * stays a wait: the idle server uses no CPU (it would spin if its park returned at once
     * forever), and the interrupt status is still set when run() returns.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anInterruptedServerKeepsServingWithoutSpinning() throws Exception {
        WeftScheduler s = WeftScheduler.builder().workers(1).name("lane-interrupt").build();
        BoundLane lane = s.newBoundLane("interrupted");
        java.util.concurrent.atomic.AtomicBoolean interruptedAtEnd = new java.util.concurrent.atomic.AtomicBoolean();
        Thread server = Thread.ofPlatform().name("lane-interrupted-server").start(() -> {
            lane.run();
            interruptedAtEnd.set(Thread.currentThread().isInterrupted());
        });
        java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        lane.ofVirtual().start(first::countDown);
        Bounded.await(first, "first bound fiber");
        org.awaitility.Awaitility.await().atMost(Bounded.HANG).until(() -> server.getState() == Thread.State.WAITING);
        server.interrupt();                                           // while it waits (a fiber's unmount clears the carrier's status)
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getThreadCpuTime(server.threadId());
        org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofMillis(300)).atMost(Bounded.HANG)
                .until(() -> true);                                   // let 300 ms pass: a spinning server burns them
        long burnt = mx.getThreadCpuTime(server.threadId()) - before;
        assertTrue(burnt < 50_000_000L, "the idle, interrupted server used " + burnt / 1_000_000 + " ms of CPU in 300 ms");
        java.util.concurrent.CountDownLatch second = new java.util.concurrent.CountDownLatch(1);
        lane.ofVirtual().start(second::countDown);
        Bounded.await(second, "a bound fiber after the interrupt");
        lane.close();
        s.shutdown();
        Bounded.join(server, "lane server after shutdown");
        assertTrue(interruptedAtEnd.get(), "the interrupt status is kept for the caller of run()");
        Bounded.close(s, "anInterruptedServerKeepsServingWithoutSpinning");
    }
}
