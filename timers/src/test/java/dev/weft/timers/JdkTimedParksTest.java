package dev.weft.timers;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.Bounded;
import dev.weft.scheduler.WeftScheduler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JDK's timed parks (Thread.sleep, parkNanos, timed Object.wait and j.u.c waits,
 * socket timeouts) keep their exact JDK semantics on Weft, where their timeouts are served
 * by Weft's timers: every case runs the same assertions on the JDK default scheduler and
 * on a Weft scheduler.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JdkTimedParksTest {
    private static final WeftScheduler WEFT = WeftScheduler.builder().workers(2).name("jdk-timed-parks").build();

    @AfterAll
    static void close() throws Exception {
        Bounded.close(WEFT, "JdkTimedParksTest");
    }

    private static ThreadFactory on(String scheduler) {
        return scheduler.equals("weft") ? WEFT.threadFactory() : Thread.ofVirtual().factory();
    }

    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} on a virtual thread of {@code scheduler}; rethrows what it threw. */
    private static void onVirtual(String scheduler, Body body) throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        on(scheduler).newThread(() -> {
            try {
                body.run();
                f.complete(null);
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        }).start();
        try {
            f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw (Error) e.getCause();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "weft"})
    void sleepLastsItsDurationAndZeroNegativeAndHugeBehaveAsTheJdkSays(String scheduler) throws Exception {
        onVirtual(scheduler, () -> {
            long t0 = System.nanoTime();
            Thread.sleep(20);
            assertTrue(System.nanoTime() - t0 >= 20_000_000L, "slept at least 20 ms");
            Thread.sleep(0);
            Thread.sleep(Duration.ZERO);
            Thread.sleep(Duration.ofMillis(-5));                      // a negative Duration returns at once
            assertThrows(IllegalArgumentException.class, () -> Thread.sleep(-1));
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> Thread.sleep(0), "sleep(0) with the status set throws");
            assertFalse(Thread.currentThread().isInterrupted(), "and clears the status");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "weft"})
    void anInterruptEndsAHugeSleepAndClearsTheStatus(String scheduler) throws Exception {
        CountDownLatch asleep = new CountDownLatch(1);
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread t = on(scheduler).newThread(() -> {
            try {
                asleep.countDown();
                Thread.sleep(Long.MAX_VALUE);
                ended.complete(null);
            } catch (Throwable e) {
                ended.complete(Thread.currentThread().isInterrupted() ? new AssertionError("status kept") : e);
            }
        });
        t.start();
        Bounded.await(asleep, "sleeper started");
        await().atMost(Bounded.HANG).until(() -> t.getState() == Thread.State.TIMED_WAITING);
        t.interrupt();
        assertInstanceOf(InterruptedException.class, ended.get(30, TimeUnit.SECONDS));
        t.interrupt();                                                  // nothing left to end
        Bounded.join(t, "the interrupted sleeper");
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "weft"})
    void parkNanosTimesOutOrEndsEarlyOnUnpark(String scheduler) throws Exception {
        onVirtual(scheduler, () -> {
            long t0 = System.nanoTime();
            LockSupport.parkNanos(15_000_000L);
            assertTrue(System.nanoTime() - t0 >= 14_000_000L, "parked about its time (spurious returns are allowed but rare)");
        });
        CountDownLatch parked = new CountDownLatch(1);
        CompletableFuture<Long> took = new CompletableFuture<>();
        Thread t = on(scheduler).newThread(() -> {
            long t0 = System.nanoTime();
            parked.countDown();
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(30));
            took.complete(System.nanoTime() - t0);
        });
        t.start();
        Bounded.await(parked, "parker started");
        await().atMost(Bounded.HANG).until(() -> t.getState() == Thread.State.TIMED_WAITING);
        LockSupport.unpark(t);
        assertTrue(took.get(30, TimeUnit.SECONDS) < TimeUnit.SECONDS.toNanos(20), "the unpark ended the 30 s park");
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "weft"})
    void timedObjectWaitTimesOutOrIsNotified(String scheduler) throws Exception {
        Object monitor = new Object();
        onVirtual(scheduler, () -> {
            long t0 = System.nanoTime();
            synchronized (monitor) {
                monitor.wait(20);
            }
            assertTrue(System.nanoTime() - t0 >= 19_000_000L, "waited its 20 ms");
            assertThrows(IllegalArgumentException.class, () -> {
                synchronized (monitor) {
                    monitor.wait(-1);
                }
            });
        });
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Long> took = new CompletableFuture<>();
        Thread t = on(scheduler).newThread(() -> {
            long t0 = System.nanoTime();
            try {
                synchronized (monitor) {
                    waiting.countDown();
                    monitor.wait(30_000);
                }
                took.complete(System.nanoTime() - t0);
            } catch (InterruptedException e) {
                took.completeExceptionally(e);
            }
        });
        t.start();
        Bounded.await(waiting, "waiter inside the monitor");
        await().atMost(Bounded.HANG).until(() -> t.getState() == Thread.State.TIMED_WAITING);
        synchronized (monitor) {
            monitor.notifyAll();
        }
        assertTrue(took.get(30, TimeUnit.SECONDS) < TimeUnit.SECONDS.toNanos(20), "notify ended the 30 s wait");
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "weft"})
    void timedJucWaitsTimeOut(String scheduler) throws Exception {
        ReentrantLock lock = new ReentrantLock();
        lock.lock();
        try {
            onVirtual(scheduler, () -> {
                assertFalse(new CountDownLatch(1).await(10, TimeUnit.MILLISECONDS));
                assertFalse(lock.tryLock(10, TimeUnit.MILLISECONDS), "held by the test thread");
                assertNull(new ArrayBlockingQueue<String>(1).poll(10, TimeUnit.MILLISECONDS));
            });
        } finally {
            lock.unlock();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "weft"})
    void jdkSocketTimeoutsThrowSocketTimeoutExceptionAndKeepTheSocket(String scheduler) throws Exception {
        onVirtual(scheduler, () -> {
            try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
                server.setSoTimeout(20);
                assertThrows(SocketTimeoutException.class, server::accept);
                try (Socket c = new Socket()) {
                    c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5_000);
                    server.setSoTimeout(0);
                    try (Socket s = server.accept()) {
                        c.setSoTimeout(20);
                        InputStream in = c.getInputStream();
                        assertThrows(SocketTimeoutException.class, in::read);
                        s.getOutputStream().write(7);
                        assertEquals(7, in.read(), "the socket stays usable after its timeout");
                    }
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    /** On Weft the timeout of a JDK timed park is a node in the scheduler's timer heap, not a JDK task. */
    @Test
    void onWeftAJdkSleepIsServedByWeftsTimerHeap() throws Exception {
        WeftScheduler own = WeftScheduler.builder().workers(1).name("jdk-sleep-in-weft-heap").build();   // no other test's nodes
        CountDownLatch asleep = new CountDownLatch(1);
        Thread t = own.ofVirtual().start(() -> {
            try {
                asleep.countDown();
                Thread.sleep(60_000);
            } catch (InterruptedException end) {
                // the test is done with it
            }
        });
        Bounded.await(asleep, "sleeper started");
        await().atMost(Bounded.HANG).until(() -> t.getState() == Thread.State.TIMED_WAITING);
        await().atMost(Bounded.HANG).until(() -> Fibers.pendingTimers(own) == 1);
        t.interrupt();
        Bounded.join(t, "the sleeper");
        Bounded.close(own, "onWeftAJdkSleepIsServedByWeftsTimerHeap");
    }
}
