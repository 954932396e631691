package dev.weft.ifc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.Bounded;
import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.FiberKilledException;
import dev.weft.scheduler.WeftScheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FiberConditionTest {
    private final WeftScheduler scheduler = WeftScheduler.builder().workers(2).name("condition-test").build();

    @AfterEach
    void close() throws Exception {
        Bounded.close(scheduler, "FiberConditionTest");
    }

    /**
     * A signal that lands before the waiter sleeps, then a kill, then a contended re-lock:
     * the re-lock must still be woken by the unlock (the waiter's first wait must not leave
     * its prepared sleep open for the kill and the grant to land on). Repeated, since the
     * signal has to land in the short window before the waiter's sleep.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aWaiterSignalledBeforeItSleepsThenKilledStillGetsTheMutexBack() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            FiberMutex m = new FiberMutex();
            FiberCondition c = m.newCondition();
            AtomicReference<Fiber> waiterFiber = new AtomicReference<>();
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(2);
            scheduler.ofVirtual().start(() -> {
                waiterFiber.set(Fiber.current());
                m.lock();
                try {
                    c.await();
                } catch (InterruptedException | FiberKilledException e) {
                    // either ending is fine here: the mutex must be held again
                } finally {
                    assertTrue(m.isHeldByCurrentThread());
                    m.unlock();
                    done.countDown();
                }
            });
            scheduler.ofVirtual().start(() -> {
                while (c.waiters() == 0 || !m.tryLock()) {
                    Thread.onSpinWait();                  // barge in the moment the waiter lets go
                }
                c.signal();
                waiterFiber.get().kill();
                while (m.queueLength() == 0) {
                    Thread.yield();                       // the waiter (woken into this worker's slot) is re-locking behind us
                }
                m.unlock();
                done.countDown();
            });
            Bounded.await(done, "round " + round + ": signalled, killed waiter re-locking");
        }
    }

    /** A bounded buffer: 50 producers and 50 consumers move 200,000 items; none lost, none twice. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void boundedBufferLosesNothing() throws Exception {
        FiberMutex m = new FiberMutex();
        FiberCondition notFull = m.newCondition(), notEmpty = m.newCondition();
        ArrayDeque<Long> buffer = new ArrayDeque<>();   // guarded by m
        int capacity = 8, pairs = 50, each = 4_000;
        AtomicLong sum = new AtomicLong();
        AtomicLong count = new AtomicLong();
        Thread[] ts = new Thread[pairs * 2];
        for (int p = 0; p < pairs; p++) {
            long base = (long) p * each;
            ts[2 * p] = scheduler.ofVirtual().start(() -> {
                for (int i = 0; i < each; i++) {
                    m.lock();
                    try {
                        while (buffer.size() == capacity) {
                            notFull.await();
                        }
                        buffer.add(base + i);
                        notEmpty.signal();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    } finally {
                        m.unlock();
                    }
                }
            });
            ts[2 * p + 1] = scheduler.ofVirtual().start(() -> {
                for (int i = 0; i < each; i++) {
                    m.lock();
                    try {
                        while (buffer.isEmpty()) {
                            notEmpty.await();
                        }
                        sum.addAndGet(buffer.poll());
                        count.incrementAndGet();
                        notFull.signal();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    } finally {
                        m.unlock();
                    }
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        long n = (long) pairs * each;
        assertEquals(n, count.get());
        assertEquals(n * (n - 1) / 2, sum.get());
        assertEquals(0, notFull.waiters() + notEmpty.waiters());
    }

    @Test
    void signalAllWakesEveryWaiterAndEachReturnsHoldingTheMutex() throws Exception {
        FiberMutex m = new FiberMutex();
        FiberCondition c = m.newCondition();
        boolean[] go = new boolean[1];                   // guarded by m
        AtomicInteger heldOnReturn = new AtomicInteger();
        Thread[] ts = new Thread[20];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = scheduler.ofVirtual().start(() -> {
                m.lock();
                try {
                    while (!go[0]) {
                        c.await();
                    }
                    if (m.isHeldByCurrentThread()) {
                        heldOnReturn.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                } finally {
                    m.unlock();
                }
            });
        }
        await().atMost(Bounded.HANG).until(() -> c.waiters() == 20);
        m.lock();
        go[0] = true;
        c.signalAll();
        m.unlock();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(20, heldOnReturn.get());
    }

    @Test
    void interruptAndKillEndAnAwaitWithTheMutexHeldAgain() throws Exception {
        FiberMutex m = new FiberMutex();
        FiberCondition c = m.newCondition();
        AtomicReference<Throwable> interrupted = new AtomicReference<>();
        AtomicReference<Boolean> heldAfterInterrupt = new AtomicReference<>();
        Thread a = scheduler.ofVirtual().start(() -> {
            m.lock();
            try {
                c.await();
            } catch (Throwable t) {
                interrupted.set(t);
                heldAfterInterrupt.set(m.isHeldByCurrentThread() && !Thread.currentThread().isInterrupted());
            } finally {
                m.unlock();
            }
        });
        await().atMost(Bounded.HANG).until(() -> c.waiters() == 1);
        a.interrupt();
        a.join();
        assertInstanceOf(InterruptedException.class, interrupted.get());
        assertTrue(heldAfterInterrupt.get(), "holds the mutex, status cleared");

        CompletableFuture<Fiber> self = new CompletableFuture<>();
        AtomicReference<Throwable> killed = new AtomicReference<>();
        AtomicReference<Boolean> heldAfterKill = new AtomicReference<>();
        Thread b = scheduler.ofVirtual().start(() -> {
            self.complete(Fiber.current());
            m.lock();
            try {
                c.await();
            } catch (Throwable t) {
                killed.set(t);
                heldAfterKill.set(m.isHeldByCurrentThread());
            } finally {
                m.unlock();
            }
        });
        await().atMost(Bounded.HANG).until(() -> c.waiters() == 1);
        m.lock();                                          // the killed fiber must wait for this to re-lock
        self.get().kill();
        await().atMost(Bounded.HANG).until(() -> c.waiters() == 0 && m.queueLength() == 1);
        m.unlock();
        b.join();
        assertInstanceOf(FiberKilledException.class, killed.get());
        assertTrue(heldAfterKill.get());
        assertFalse(m.isLocked());
    }

    @Test
    void usingItWithoutTheMutexFailsClearly() {
        FiberCondition c = new FiberMutex().newCondition();
        assertThrows(IllegalMonitorStateException.class, c::await);
        assertThrows(IllegalMonitorStateException.class, c::signal);
        assertThrows(IllegalMonitorStateException.class, c::signalAll);
    }
}
