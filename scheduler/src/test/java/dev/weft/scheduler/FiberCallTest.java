package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FiberCallTest {
    private final WeftScheduler scheduler = WeftScheduler.builder().workers(2).name("ifc-test").build();

    @AfterEach
    void close() {
        scheduler.close();
    }

    /** A target fiber that serves calls in IFC sleeps until {@code stop}, returning its thread; {@code self} gets its Fiber. */
    private Thread server(CompletableFuture<Fiber> self, AtomicBoolean stop) {
        return server(scheduler, self, stop);
    }

    private static Thread server(WeftScheduler on, CompletableFuture<Fiber> self, AtomicBoolean stop) {
        return on.ofVirtual().start(() -> {
            Fiber f = Fiber.current();
            self.complete(f);
            while (!stop.get()) {
                f.prepareSleep(Wake.IFC | Wake.user(0));
                if (!stop.get()) {
                    f.sleep();
                }
            }
        });
    }

    @Test
    void callsRunOnTheTargetInSendOrderAndReturnResults() throws Exception {
        CompletableFuture<Fiber> self = new CompletableFuture<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread target = server(self, stop);
        Fiber f = self.get();
        List<Integer> order = new ArrayList<>();      // touched only on the target
        List<FiberCall> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            FiberCall c = new FiberCall(() -> {
                assertSame(f.thread(), Thread.currentThread());
                order.add(n);
                return n * 2;
            });
            calls.add(c);
            f.call(c);
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(i * 2, calls.get(i).await());
        }
        FiberCall snapshot = new FiberCall(() -> new ArrayList<>(order));
        f.call(snapshot);
        assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), snapshot.await());
        stop.set(true);
        f.wake(Wake.user(0));
        target.join();
    }

    /**
     * A burst of 5,000 calls is run in slices: with one worker, a fiber that counts and
     * yields in a loop gets the carrier between them, so the calls see its count move.
     * Run in one slice, all would see the same count.
     */
    @Test
    void aBurstOfCallsYieldsTheCarrierBetweenSlices() throws Exception {
        try (WeftScheduler one = WeftScheduler.builder().workers(1).maxSpares(0).name("ifc-burst").build()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong ticks = new AtomicLong();
            Thread ticker = one.ofVirtual().start(() -> {
                while (!stop.get()) {
                    ticks.incrementAndGet();
                    Thread.yield();
                }
            });
            CompletableFuture<Fiber> self = new CompletableFuture<>();
            Thread target = server(one, self, stop);
            Fiber f = self.get();
            CountDownLatch gate = new CountDownLatch(1);
            FiberCall hold = new FiberCall(() -> {
                gate.await();                   // the target parks inside this call while the burst queues
                return null;
            });
            f.call(hold);
            long[] seen = new long[5_000];
            List<FiberCall> burst = new ArrayList<>();
            for (int i = 0; i < seen.length; i++) {
                int n = i;
                FiberCall c = new FiberCall(() -> seen[n] = ticks.get());
                burst.add(c);
                f.call(c);
            }
            gate.countDown();
            try {
                for (FiberCall c : burst) {
                    c.await();
                }
            } finally {
                stop.set(true);                 // the scheduler's close waits for both fibers
                f.wake(Wake.user(0));
                target.join();
                ticker.join();
            }
            long distinct = java.util.Arrays.stream(seen).distinct().count();
            assertTrue(distinct >= seen.length / 1024, "the burst ran in " + distinct + " slice(s)");
        }
    }

    @Test
    void aThrowingCallFailsItsHandleNotTheTargetAndHandlesAreReusable() throws Exception {
        CompletableFuture<Fiber> self = new CompletableFuture<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread target = server(self, stop);
        Fiber f = self.get();
        FiberCall bad = new FiberCall(() -> {
            throw new IllegalStateException("boom");
        });
        f.call(bad);
        ExecutionException e = assertThrows(ExecutionException.class, bad::await);
        assertEquals("boom", e.getCause().getMessage());
        assertFalse(bad.isQueued());
        AtomicInteger runs = new AtomicInteger();
        FiberCall again = new FiberCall(runs::incrementAndGet);
        for (int i = 1; i <= 50; i++) {
            f.call(again);
            assertEquals(i, again.await());
        }
        assertTrue(target.isAlive(), "the target survived the throwing call");
        stop.set(true);
        f.wake(Wake.user(0));
        target.join();
    }

    @Test
    void aQueuedCallCannotBeSentTwice() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        CompletableFuture<Fiber> self = new CompletableFuture<>();
        Thread target = scheduler.ofVirtual().start(() -> {
            self.complete(Fiber.current());
            try {
                hold.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            Fiber.current().processCalls();
        });
        Fiber f = self.get();
        FiberCall c = new FiberCall(() -> 1);
        f.call(c);
        assertTrue(c.isQueued());
        assertThrows(IllegalStateException.class, () -> f.call(c));
        assertThrows(TimeoutException.class, () -> c.await(Duration.ofMillis(1)));
        hold.countDown();
        assertEquals(1, c.await());
        target.join();
    }

    /** post: a second post while queued is absorbed; a post while running makes it run once more. */
    @Test
    void postCoalescesWhileQueuedAndRerunsWhenPostedWhileRunning() throws Exception {
        CountDownLatch hold = new CountDownLatch(1), inside = new CountDownLatch(1), resume = new CountDownLatch(1);
        CompletableFuture<Fiber> self = new CompletableFuture<>();
        AtomicInteger runs = new AtomicInteger();
        AtomicBoolean blockFirstRun = new AtomicBoolean();
        FiberCall c = new FiberCall(() -> {
            runs.incrementAndGet();
            if (blockFirstRun.compareAndSet(true, false)) {
                inside.countDown();
                resume.await();
            }
            return null;
        });
        Thread target = scheduler.ofVirtual().start(() -> {
            Fiber f = Fiber.current();
            self.complete(f);
            try {
                hold.await();
                f.processCalls();                        // runs c once: the second post was absorbed
                blockFirstRun.set(true);
                hold.await();
                while (runs.get() < 3) {                 // the rerun is queued on our own mailbox
                    f.processCalls();
                    Thread.yield();
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Fiber f = self.get();
        assertTrue(f.post(c));
        assertFalse(f.post(c), "already queued: absorbed");
        hold.countDown();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() == 1 && !c.isQueued());
        assertTrue(f.post(c));                           // second round: posted again while it runs
        inside.await();
        assertFalse(f.post(c), "running: it will run once more");
        assertTrue(c.isQueued());
        resume.countDown();
        target.join();
        assertEquals(3, runs.get());
        assertTrue(c.isDone());
    }

    @Test
    void callsPendingAtExitOrSentAfterFailWithFiberExited() throws Exception {
        CountDownLatch queued = new CountDownLatch(1);
        CompletableFuture<Fiber> self = new CompletableFuture<>();
        AtomicInteger ran = new AtomicInteger();
        Thread target = scheduler.ofVirtual().start(() -> {
            self.complete(Fiber.current());
            try {
                queued.await();                       // exits without processing
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Fiber f = self.get();
        FiberCall pending = new FiberCall(ran::incrementAndGet);
        f.call(pending);
        queued.countDown();
        target.join();
        ExecutionException e = assertThrows(ExecutionException.class, pending::await);
        assertInstanceOf(FiberExitedException.class, e.getCause());
        FiberCall late = new FiberCall(ran::incrementAndGet);
        f.call(late);
        assertInstanceOf(FiberExitedException.class, assertThrows(ExecutionException.class, late::await).getCause());
        assertEquals(0, ran.get(), "never run");
    }

    @Test
    void killEndsAFibersAwait() throws Exception {
        CompletableFuture<Fiber> self = new CompletableFuture<>();
        AtomicReference<Throwable> got = new AtomicReference<>();
        CountDownLatch sent = new CountDownLatch(1);
        Thread never = scheduler.ofVirtual().start(() -> {
            try {
                new CountDownLatch(1).await();         // a target that never processes
            } catch (InterruptedException expected) {
                // interrupted at the end of the test
            }
        });
        Fiber target = (Fiber) CarrierHook.schedulerOf(never);
        Thread waiter = scheduler.ofVirtual().start(() -> {
            self.complete(Fiber.current());
            FiberCall c = new FiberCall(() -> 1);
            target.call(c);
            sent.countDown();
            try {
                c.await();
            } catch (Throwable t) {
                got.set(t);
            }
        });
        sent.await();
        self.get().kill();
        waiter.join();
        assertInstanceOf(FiberKilledException.class, got.get());
        never.interrupt();
        never.join();
    }

    /**
     * 8 senders x 100,000 calls to one target, each sender keeping 16 in flight through
     * reused handles. The target counts per sender; the j-th call a sender sent must return
     * j: exactly once, in send order per sender.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void manySendersNothingLostNothingRunTwiceOrderKept() throws Exception {
        CompletableFuture<Fiber> self = new CompletableFuture<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread target = server(self, stop);
        Fiber f = self.get();
        int senders = 8, each = 100_000, window = 16;
        long[] ranFor = new long[senders];            // touched only on the target
        AtomicLong wrong = new AtomicLong();
        Thread[] ts = new Thread[senders];
        for (int s = 0; s < senders; s++) {
            int me = s;
            ts[s] = scheduler.ofVirtual().start(() -> {
                FiberCall[] calls = new FiberCall[window];
                for (int i = 0; i < window; i++) {
                    calls[i] = new FiberCall(() -> ++ranFor[me]);
                }
                long expected = 1;
                for (int j = 0; j < each + window; j++) {
                    FiberCall c = calls[j % window];
                    if (j >= window) {                // its previous send is the oldest in flight
                        try {
                            if ((Long) c.await() != expected++) {
                                wrong.incrementAndGet();
                            }
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                    if (j < each) {
                        f.call(c);
                    }
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        stop.set(true);
        f.wake(Wake.user(0));
        target.join();
        assertEquals(0, wrong.get());
        for (long n : ranFor) {
            assertEquals(each, n);
        }
    }
}
