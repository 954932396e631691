package dev.weft.ifc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.Bounded;
import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.FiberKilledException;
import dev.weft.scheduler.WeftScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FiberMutexTest {
    private final WeftScheduler scheduler = WeftScheduler.builder().workers(2).name("mutex-test").build();

    @AfterEach
    void close() throws Exception {
        Bounded.close(scheduler, "FiberMutexTest");
    }

    /**
     * An untimed wait does not accept TIMEOUT: a stray TIMEOUT raised on a fiber waiting in
     * lock() is not wanted (wake reports false) and the wait goes on until the unlock.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aStrayTimeoutDoesNotEndAnUntimedLock() throws Exception {
        FiberMutex m = new FiberMutex();
        m.lock();
        AtomicReference<Fiber> waiter = new AtomicReference<>();
        CompletableFuture<Boolean> locked = new CompletableFuture<>();
        Thread t = scheduler.ofVirtual().start(() -> {
            waiter.set(Fiber.current());
            try {
                m.lock();
                locked.complete(m.isHeldByCurrentThread());
                m.unlock();
            } catch (Throwable e) {
                locked.completeExceptionally(e);
            }
        });
        await().atMost(Bounded.HANG).until(() -> m.queueLength() == 1 && t.getState() == Thread.State.WAITING);
        assertFalse(waiter.get().wake(dev.weft.scheduler.Wake.TIMEOUT), "an untimed wait does not accept TIMEOUT");
        assertFalse(locked.isDone(), "the stray TIMEOUT ended nothing");
        m.unlock();
        assertTrue(locked.get(30, TimeUnit.SECONDS));
    }

    /** 1,000 fibers x 10,000 acquisitions on 2 carriers: exclusive, and every waiter woken. */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void mutualExclusionAndNoLostWakeupUnderStress() throws Exception {
        FiberMutex m = new FiberMutex();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        long[] counter = new long[1];          // guarded by m
        Thread[] ts = new Thread[1_000];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = scheduler.ofVirtual().start(() -> {
                for (int k = 0; k < 10_000; k++) {
                    m.lock();
                    try {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        counter[0]++;
                        inside.decrementAndGet();
                    } finally {
                        m.unlock();
                    }
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(0, overlaps.get());
        assertEquals(10_000_000L, counter[0]);
        assertFalse(m.isLocked());
        assertEquals(0, m.queueLength());
    }

    @Test
    void queuedWaitersAreServedInArrivalOrder() throws Exception {
        FiberMutex m = new FiberMutex();
        m.lock();                                         // held by the test thread
        ConcurrentLinkedQueue<Integer> order = new ConcurrentLinkedQueue<>();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            ts.add(scheduler.ofVirtual().start(() -> {
                m.lock();
                order.add(n);
                m.unlock();
            }));
            int queued = i + 1;
            await().atMost(Bounded.HANG).until(() -> m.queueLength() == queued);
        }
        m.unlock();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(java.util.stream.IntStream.range(0, 20).boxed().toList(), new ArrayList<>(order));
    }

    /** A fiber that keeps re-taking the lock cannot starve a waiter: after ~1 ms the lock is handed over. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBargingFiberCannotStarveAWaiter() throws Exception {
        FiberMutex m = new FiberMutex();
        java.util.concurrent.atomic.AtomicBoolean waiterServed = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch hogStarted = new CountDownLatch(1);
        Thread hog = scheduler.ofVirtual().start(() -> {
            hogStarted.countDown();
            while (!waiterServed.get()) {
                m.lock();
                m.unlock();
            }
        });
        try {
            hogStarted.await();
            Thread waiter = scheduler.ofVirtual().start(() -> {
                m.lock();
                waiterServed.set(true);
                m.unlock();
            });
            waiter.join();
            hog.join();
        } finally {
            waiterServed.set(true);      // a failed or timed-out wait must not leave the hog for close()
        }
        assertTrue(waiterServed.get());
        assertFalse(m.isLocked());
    }

    @Test
    void aKilledWaiterLeavesTheQueueAndTheNextWaiterIsStillWoken() throws Exception {
        FiberMutex m = new FiberMutex();
        m.lock();
        CompletableFuture<Fiber> victim = new CompletableFuture<>();
        AtomicReference<Throwable> victimGot = new AtomicReference<>();
        Thread killed = scheduler.ofVirtual().start(() -> {
            victim.complete(Fiber.current());
            try {
                m.lock();
                m.unlock();
            } catch (Throwable t) {
                victimGot.set(t);
            }
        });
        await().atMost(Bounded.HANG).until(() -> m.queueLength() == 1);
        CountDownLatch nextGotIt = new CountDownLatch(1);
        Thread next = scheduler.ofVirtual().start(() -> {
            m.lock();
            nextGotIt.countDown();
            m.unlock();
        });
        await().atMost(Bounded.HANG).until(() -> m.queueLength() == 2);
        victim.get().kill();
        killed.join();
        assertInstanceOf(FiberKilledException.class, victimGot.get());
        assertEquals(1, m.queueLength());
        m.unlock();
        assertTrue(nextGotIt.await(30, TimeUnit.SECONDS));
        next.join();
        assertFalse(m.isLocked());
        assertEquals(0, m.queueLength());
    }

    @Test
    void lockIgnoresInterruptsButLockInterruptiblyEnds() throws Exception {
        FiberMutex m = new FiberMutex();
        m.lock();
        AtomicReference<Throwable> interruptible = new AtomicReference<>();
        Thread a = scheduler.ofVirtual().start(() -> {
            try {
                m.lockInterruptibly();
            } catch (Throwable t) {
                interruptible.set(t);
            }
        });
        await().atMost(Bounded.HANG).until(() -> m.queueLength() == 1);
        a.interrupt();
        a.join();
        assertInstanceOf(InterruptedException.class, interruptible.get());
        assertEquals(0, m.queueLength());

        AtomicReference<Boolean> statusKept = new AtomicReference<>();
        Thread b = scheduler.ofVirtual().start(() -> {
            m.lock();
            statusKept.set(Thread.currentThread().isInterrupted());
            m.unlock();
        });
        await().atMost(Bounded.HANG).until(() -> m.queueLength() == 1);
        b.interrupt();
        await().atMost(Bounded.HANG).until(() -> b.getState() == Thread.State.WAITING);
        assertEquals(1, m.queueLength(), "an interrupt does not end lock()");
        m.unlock();
        b.join();
        assertTrue(statusKept.get());
    }

    @Test
    void misuseFailsClearlyAndPlatformThreadsWork() throws Exception {
        FiberMutex m = new FiberMutex();
        assertThrows(IllegalMonitorStateException.class, m::unlock);
        assertTrue(m.tryLock());
        assertThrows(IllegalStateException.class, m::lock);
        AtomicReference<Boolean> other = new AtomicReference<>();
        Thread platform = Thread.ofPlatform().start(() -> {
            other.set(m.tryLock());
            m.lock();                                      // a platform thread parks
            m.unlock();
        });
        await().atMost(Bounded.HANG).until(() -> m.queueLength() == 1);
        m.unlock();
        platform.join();
        assertFalse(other.get());
        assertFalse(m.isLocked());
    }
}
