package dev.weft.timers;

import dev.weft.scheduler.Bounded;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.ifc.FiberCondition;
import dev.weft.ifc.FiberMutex;
import dev.weft.ifc.FiberSemaphore;
import dev.weft.io.WeftServerSocket;
import dev.weft.io.WeftSocket;
import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.FiberCall;
import dev.weft.scheduler.WeftScheduler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Deadlines on every Weft wait: sockets, semaphore, mutex, condition, IFC completion. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TimeoutsTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private final WeftScheduler scheduler = WeftScheduler.builder().workers(2).name("timeouts-test").build();

    @AfterEach
    void close() throws Exception {
        Bounded.close(scheduler, "TimeoutsTest");
    }

    private <T> T onFiber(Fibers.Body<T> body) throws Exception {
        return Fibers.run(scheduler, body);
    }

    @Test
    void readTimeoutThrowsAndTheSocketStaysUsable() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            String got = onFiber(() -> {
                try (WeftSocket c = WeftSocket.connect(server.localAddress()); WeftSocket s = server.accept()) {
                    c.setReadTimeout(Duration.ofMillis(30));
                    ByteBuffer b = ByteBuffer.allocate(16);
                    SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> c.read(b));
                    assertTrue(e.getMessage().contains("timed out waiting for fd") && e.getMessage().contains("readable"), e.getMessage());
                    s.write(ByteBuffer.wrap("late".getBytes()));
                    c.setReadTimeout(Duration.ZERO);
                    int n = c.read(b);
                    return new String(b.array(), 0, n);
                }
            });
            assertEquals("late", got);
        }
    }

    @Test
    void writeTimeoutWhenThePeerNeverReads() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            onFiber(() -> {
                try (WeftSocket c = WeftSocket.connect(server.localAddress()); WeftSocket s = server.accept()) {
                    c.setWriteTimeout(Duration.ofMillis(50));
                    ByteBuffer big = ByteBuffer.allocate(64 << 20);
                    assertThrows(SocketTimeoutException.class, () -> c.write(big));
                    assertTrue(big.position() > 0, "part of it went out before the deadline");
                    return null;
                }
            });
        }
    }

    @Test
    void acceptTimeoutKeepsTheListener() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            server.setAcceptTimeout(Duration.ofMillis(20));
            onFiber(() -> {
                assertThrows(SocketTimeoutException.class, server::accept);
                try (WeftSocket c = WeftSocket.connect(server.localAddress(), Duration.ofSeconds(30));
                     WeftSocket s = server.accept()) {
                    assertTrue(s.isOpen() && c.isOpen());
                }
                return null;
            });
        }
    }

    @Test
    void negativeTimeoutsAreRefusedNamingTheValue() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> server.setAcceptTimeout(Duration.ofMillis(-1)));
            assertTrue(e.getMessage().contains("accept timeout") && e.getMessage().contains("-0.001"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> WeftSocket.connect(server.localAddress(), Duration.ofSeconds(-1)));
        }
    }

    @Test
    void mutexAndConditionTimeouts() throws Exception {
        FiberMutex m = new FiberMutex();
        CountDownLatch held = new CountDownLatch(1), release = new CountDownLatch(1);
        scheduler.ofVirtual().start(() -> {
            m.lock();
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                m.unlock();
            }
        });
        held.await();
        onFiber(() -> {
            assertFalse(m.tryLock(Duration.ofMillis(20)), "held elsewhere: times out");
            assertFalse(m.tryLock(Duration.ZERO));
            release.countDown();
            assertTrue(m.tryLock(Duration.ofSeconds(30)), "released meanwhile: acquired");
            FiberCondition c = m.newCondition();
            assertFalse(c.await(Duration.ofMillis(10)), "nobody signals");
            assertTrue(m.isHeldByCurrentThread(), "held again after the timed-out await");
            m.unlock();
            return null;
        });
    }

    /**
     * A timed acquire racing a release: exactly one outcome each time, and no permit is
     * lost or made up: what the waiters took plus what is left equals what was released.
     */
    @Test
    void semaphoreTimeoutRacingReleaseConservesPermits() throws Exception {
        FiberSemaphore sem = new FiberSemaphore(0);
        int rounds = 2_000;
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(2);
        Random rnd = new Random(11);
        long[] waits = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            waits[i] = rnd.nextInt(200_000);               // 0-200 us: around the release
        }
        scheduler.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    if (sem.tryAcquire(Duration.ofNanos(waits[i]))) {
                        taken.incrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                done.countDown();
            }
        });
        scheduler.ofVirtual().start(() -> {
            for (int i = 0; i < rounds; i++) {
                sem.release();
                Thread.yield();
            }
            done.countDown();
        });
        assertTrue(done.await(60, TimeUnit.SECONDS));
        assertEquals(rounds, taken.get() + sem.availablePermits(), "permits taken + left");
        assertEquals(0, sem.queueLength(), "no waiter left queued");
    }

    @Test
    void callAwaitTimesOutOnAFiber() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Fiber[] target = new Fiber[1];
        CountDownLatch started = new CountDownLatch(1);
        scheduler.ofVirtual().start(() -> {
            target[0] = Fiber.current();
            started.countDown();
            try {
                never.await();                              // never processes calls
            } catch (InterruptedException e) {
                // end
            }
        });
        started.await();
        onFiber(() -> {
            FiberCall call = new FiberCall(() -> "ran");
            target[0].call(call);
            assertThrows(TimeoutException.class, () -> call.await(Duration.ofMillis(20)));
            return null;
        });
        never.countDown();
    }
}
