package dev.weft.io;

import dev.weft.scheduler.Bounded;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.WeftScheduler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Workers that block in epoll_wait instead of parking ({@link NetPoll}). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NetPollTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final NetPoll NETPOLL = (NetPoll) NetPoll.idlePoller();

    private static WeftScheduler netpollScheduler(String name, int workers) {
        return WeftScheduler.builder().workers(workers).name(name).idlePoller(NetPoll.idlePoller()).build();
    }

    /**
     * With one worker, that worker is the poller whenever it is idle: every submission from
     * outside must break its epoll_wait (the eventfd wake-up). 20,000 in a row, none lost.
     */
    @Test
    void submissionsFromOutsideWakeTheWorkerInEpollWait() throws Exception {
        WeftScheduler s = netpollScheduler("netpoll-wake", 1);
        try {
            await().atMost(Duration.ofSeconds(30)).until(NETPOLL::isBlocked);
            for (int i = 0; i < 20_000; i++) {
                CountDownLatch ran = new CountDownLatch(1);
                s.ofVirtual().start(ran::countDown);
                assertTrue(ran.await(30, TimeUnit.SECONDS), "submission " + i + " never ran: lost wake-up");
            }
        } finally {
            Bounded.close(s, "submissionsFromOutsideWakeTheWorkerInEpollWait");
        }
    }

    /**
     * The polling worker's wake-up must survive a wake-up that lands while the worker is
     * draining the previous one. One worker: a loopback ping-pong keeps the worker's poll
     * returning for socket events, while a platform thread starts fibers (each a hand-off
     * through the eventfd). A lost wake-up leaves a started fiber waiting forever.
     */
    @Test
    void wakeUpsRacingTheDrainOfThePreviousOneAreNotLost() throws Exception {
        WeftScheduler s = netpollScheduler("netpoll-wake-race", 1);
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            s.ofVirtual().start(() -> {
                try {
                    echo(server.accept());
                } catch (IOException closed) {
                    // listener closed at the end of the test
                }
            });
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            CountDownLatch pingPongDone = new CountDownLatch(1);
            s.ofVirtual().start(() -> {
                try (WeftSocket c = WeftSocket.connect(server.localAddress())) {
                    ByteBuffer b = ByteBuffer.allocate(8);
                    while (!stop.get()) {
                        c.write(b.clear());
                        b.clear();
                        while (b.hasRemaining() && c.read(b) >= 0) { }
                    }
                } catch (IOException e) {
                    // the test failed elsewhere
                } finally {
                    pingPongDone.countDown();
                }
            });
            try {
                for (int i = 0; i < 50_000; i++) {
                    CountDownLatch ran = new CountDownLatch(1);
                    s.ofVirtual().start(ran::countDown);
                    Bounded.await(ran, "fiber " + i + " started from a platform thread during a ping-pong");
                }
            } finally {
                stop.set(true);
            }
            Bounded.await(pingPongDone, "ping-pong end");
        } finally {
            Bounded.close(s, "wakeUpsRacingTheDrainOfThePreviousOneAreNotLost");
        }
    }

    /** 200 connections x 200 round trips, clients and servers all on the polling scheduler. */
    @Test
    void echoManyConnections() throws Exception {
        WeftScheduler s = netpollScheduler("netpoll-echo", 2);
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 512)) {
            s.ofVirtual().start(() -> {
                try {
                    for (;;) {
                        WeftSocket c = server.accept();
                        s.ofVirtual().start(() -> echo(c));
                    }
                } catch (IOException closed) {
                    // listener closed at the end of the test
                }
            });
            int conns = 200, rounds = 200;
            CountDownLatch done = new CountDownLatch(conns);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong echoed = new AtomicLong();
            for (int i = 0; i < conns; i++) {
                int id = i;
                s.ofVirtual().start(() -> {
                    try (WeftSocket c = WeftSocket.connect(server.localAddress())) {
                        ByteBuffer out = ByteBuffer.allocate(64), in = ByteBuffer.allocate(64);
                        for (int r = 0; r < rounds; r++) {
                            out.clear().putInt(0, id).putInt(4, r);
                            c.write(out);
                            in.clear();
                            while (in.hasRemaining()) {
                                if (c.read(in) < 0) {
                                    throw new IOException("EOF after " + r + " rounds");
                                }
                            }
                            assertEquals(id, in.getInt(0));
                            assertEquals(r, in.getInt(4));
                            echoed.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(90, TimeUnit.SECONDS), "echo stalled at " + echoed.get() + " messages");
            assertNull(failure.get(), () -> "client failed: " + failure.get());
            assertEquals((long) conns * rounds, echoed.get());
        } finally {
            Bounded.close(s, "echoManyConnections");
        }
    }

    private static void echo(WeftSocket c) {
        try (c) {
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (c.read(b.clear()) >= 0) {
                c.write(b.flip());
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** One scheduler at a time: a second is refused with a message naming the first; after close, a new one attaches. */
    @Test
    void oneSchedulerAtATime() throws Exception {
        WeftScheduler first = netpollScheduler("netpoll-first", 1);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> netpollScheduler("netpoll-second", 1));
            assertTrue(e.getMessage().contains("netpoll-first") && e.getMessage().contains("netpoll-second"),
                    e.getMessage());
        } finally {
            Bounded.close(first, "oneSchedulerAtATime");
        }
        WeftScheduler third = netpollScheduler("netpoll-third", 1);
        try {
            CountDownLatch ran = new CountDownLatch(1);
            third.ofVirtual().start(ran::countDown);
            assertTrue(ran.await(30, TimeUnit.SECONDS));
        } finally {
            Bounded.close(third, "oneSchedulerAtATime");
        }
        assertNull(NetPoll.attached(), "detached after termination");
    }
}
