package dev.weft.scheduler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LifecycleTest {

    @Test
    void shutdownRejectsNewStartsAndLetsLiveFibersFinish() throws Exception {
        WeftScheduler s = WeftScheduler.builder().workers(2).build();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        Thread live = s.ofVirtual().start(() -> {
            try {
                release.await();
                Thread.yield();                 // still schedulable after shutdown
                finished.set(true);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        s.shutdown();
        assertTrue(s.isShutdown());
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> s.ofVirtual().start(() -> { }));
        assertTrue(e.getMessage().contains("shut down"), e.getMessage());
        assertFalse(s.awaitTermination(10, TimeUnit.MILLISECONDS));
        assertFalse(s.isTerminated());
        release.countDown();
        live.join();
        assertTrue(finished.get());
        assertTrue(s.awaitTermination(30, TimeUnit.SECONDS));
        assertTrue(s.isTerminated());
        await().atMost(Bounded.HANG).until(() -> s.stats().carriers() == 0);
    }

    @Test
    void childrenStartedAfterShutdownAreRejected() throws Exception {
        WeftScheduler s = WeftScheduler.builder().workers(1).build();
        CountDownLatch shut = new CountDownLatch(1);
        AtomicReference<Throwable> childStart = new AtomicReference<>();
        Thread parent = s.ofVirtual().start(() -> {
            try {
                shut.await();
                Thread.ofVirtual().start(() -> { });
            } catch (Throwable t) {
                childStart.set(t);
            }
        });
        s.shutdown();
        shut.countDown();
        parent.join();
        assertInstanceOf(RejectedExecutionException.class, childStart.get());
        s.close();
    }

    @Test
    void shutdownNowInterruptsLiveFibers() throws Exception {
        WeftScheduler s = WeftScheduler.builder().workers(2).build();
        CountDownLatch started = new CountDownLatch(10);
        for (int i = 0; i < 10; i++) {
            s.ofVirtual().start(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException expected) {
                    // exits
                }
            });
        }
        started.await();
        List<Thread> interrupted = s.shutdownNow();
        assertEquals(10, interrupted.size());
        assertTrue(s.awaitTermination(30, TimeUnit.SECONDS));
    }

    @Test
    void closeWaitsForLiveFibers() {
        WeftScheduler s = WeftScheduler.builder().workers(2).build();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        s.ofVirtual().start(() -> {
            started.countDown();
            for (int i = 0; i < 1000; i++) {
                Thread.yield();
            }
            done.set(true);
        });
        try {
            started.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        s.close();
        assertTrue(done.get());
        assertTrue(s.isTerminated());
    }

    @Test
    @SuppressWarnings("try")   // close() inside the resource block is the behaviour under test
    void closeFromOwnFiberIsRefused() throws Exception {
        try (WeftScheduler s = WeftScheduler.builder().workers(1).build()) {
            AtomicReference<Throwable> t = new AtomicReference<>();
            s.ofVirtual().start(() -> {
                try {
                    s.close();
                } catch (Throwable e) {
                    t.set(e);
                }
            }).join();
            assertInstanceOf(IllegalStateException.class, t.get());
        }
    }

    @Test
    void threadPerTaskExecutorRunsOnWeftAndFollowsExecutorServiceRules() throws Exception {
        try (WeftScheduler s = WeftScheduler.builder().workers(2).build()) {
            ExecutorService ex = s.newVirtualThreadPerTaskExecutor(Priority.LOW);
            Future<Priority> f = ex.submit(() -> Fiber.current().priority());
            assertEquals(Priority.LOW, f.get());
            ex.close();
            assertTrue(ex.isTerminated());
            assertThrows(RejectedExecutionException.class, () -> ex.submit(() -> 1));
        }
    }

    @Test
    void aDeadCarrierIsReplacedAndItsQueuesKeepBeingServed() throws Exception {
        try (WeftScheduler s = WeftScheduler.builder().workers(1).maxSpares(0).build()) {
            Thread before = s.workers[0].thread;
            // A "fiber" whose slice throws an error into the scheduler itself: the carrier dies.
            Fiber poison = new Fiber(s, Thread.currentThread(), () -> { throw new InternalError("injected"); },
                    Priority.NORMAL, null, false);
            s.submit(poison);
            await().atMost(Bounded.HANG).until(() -> s.stats().workersReplaced() == 1
                    && s.workers[0].thread != null && s.workers[0].thread != before);
            AtomicBoolean ran = new AtomicBoolean();
            s.ofVirtual().start(() -> ran.set(true)).join();
            assertTrue(ran.get());
            assertEquals(1, s.stats().carriers());
        }
    }

    /**
     * Shutdown under load: platform threads and fibers keep starting fibers (which yield,
     * park and start children) while shutdown() lands. Every start that was not rejected
     * runs to its end, and the scheduler terminates.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shutdownUnderLoadLosesNoAcceptedTask() throws Exception {
        WeftScheduler s = WeftScheduler.builder().workers(2).name("shutdown-under-load").build();
        java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong ran = new java.util.concurrent.atomic.AtomicLong();
        Runnable task = new Runnable() {
            @Override
            public void run() {
                Thread.yield();
                java.util.concurrent.locks.LockSupport.parkNanos(1000);
                try {
                    Thread.ofVirtual().start(this::leaf);      // a child: inherits the scheduler
                    accepted.incrementAndGet();
                } catch (RejectedExecutionException shutDown) {
                    // rejected: it never counts
                }
                ran.incrementAndGet();
            }

            private void leaf() {
                Thread.yield();
                ran.incrementAndGet();
            }
        };
        int submitters = 4;
        CountDownLatch stopped = new CountDownLatch(submitters);
        for (int t = 0; t < submitters; t++) {
            Thread.ofPlatform().start(() -> {
                try {
                    for (;;) {
                        s.ofVirtual().start(task);
                        accepted.incrementAndGet();
                    }
                } catch (RejectedExecutionException shutDown) {
                    stopped.countDown();
                }
            });
        }
        await().atMost(Bounded.HANG).until(() -> accepted.get() > 20_000);
        s.shutdown();
        Bounded.await(stopped, "submitters rejected after shutdown");
        if (!s.awaitTermination(Bounded.HANG.toSeconds(), TimeUnit.SECONDS)) {
            Bounded.hung("termination after shutdown under load (" + ran.get() + " of " + accepted.get() + " ran)");
        }
        assertEquals(accepted.get(), ran.get(), "every accepted start ran to its end");
    }
}
