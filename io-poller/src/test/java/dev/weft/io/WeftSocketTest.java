package dev.weft.io;

import dev.weft.scheduler.Bounded;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.FiberKilledException;
import dev.weft.scheduler.WeftScheduler;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WeftSocketTest {
    private final WeftScheduler scheduler = WeftScheduler.builder().workers(2).name("socket-test").build();
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @AfterEach
    void close(org.junit.jupiter.api.TestInfo info) throws Exception {
        Bounded.close(scheduler, info.getTestMethod().map(java.lang.reflect.Method::getName).orElse("WeftSocketTest"));
    }

    /** Runs {@code body} on a Weft fiber; rethrows what it threw. */
    private <T> CompletableFuture<T> onFiber(IoBody<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        scheduler.ofVirtual().start(() -> {
            try {
                f.complete(body.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    interface IoBody<T> {
        T run() throws Exception;
    }

    /** An echo server on {@code server}: one fiber per connection, until the listener closes. */
    private void serveEcho(WeftServerSocket server) {
        scheduler.ofVirtual().start(() -> {
            try {
                for (;;) {
                    WeftSocket s = server.accept();
                    scheduler.ofVirtual().start(() -> echo(s));
                }
            } catch (IOException closed) {
                // the listener closed: the test is over
            }
        });
    }

    private static void echo(WeftSocket s) {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        try (s) {
            while (s.read(buf) >= 0) {
                buf.flip();
                s.write(buf);
                buf.clear();
            }
        } catch (IOException e) {
            // peer reset: the connection ends
        }
    }

    /** Echoes {@code data} through a fresh connection, writing and reading concurrently. */
    private byte[] roundTrip(InetSocketAddress at, byte[] data) throws Exception {
        return onFiber(() -> {
            try (WeftSocket c = WeftSocket.connect(at)) {
                CompletableFuture<Void> sent = onFiber(() -> {
                    c.write(data, 0, data.length);
                    c.shutdownOutput();
                    return null;
                });
                byte[] got = new byte[data.length];
                int n = 0;
                for (int r; (r = c.read(got, n, got.length - n)) > 0;) {
                    n += r;
                }
                sent.get();
                assertEquals(-1, c.read(new byte[1], 0, 1), "end of stream after the echo");
                return Arrays.copyOf(got, n);
            }
        }).get();
    }

    @Test
    void echoesFromOneByteTo16MiBAcrossPartialReadsAndWrites() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 128)) {
            serveEcho(server);
            Random rnd = new Random(42);
            for (int size : new int[] {1, 2, 63, 64, 4096, 65_537, 1 << 20, 16 << 20}) {
                byte[] data = new byte[size];
                rnd.nextBytes(data);
                assertArrayEquals(data, roundTrip(server.localAddress(), data), "size " + size);
            }
        }
    }

    /** With NetPoll, an idle worker blocks in epoll_wait and runs what it readies: echo still exact. */
    @Test
    void echoWithIdleWorkersPolling() throws Exception {
        try (WeftScheduler netpoll = WeftScheduler.builder().workers(2).name("netpoll-test")
                .idlePoller(NetPoll.idlePoller()).build();
                WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 128)) {
            CompletableFuture<byte[]> got = new CompletableFuture<>();
            netpoll.ofVirtual().start(() -> {
                try (WeftSocket s = server.accept()) {
                    echo(s);
                } catch (IOException e) {
                    got.completeExceptionally(e);
                }
            });
            byte[] data = new byte[1 << 20];
            new Random(7).nextBytes(data);
            netpoll.ofVirtual().start(() -> {
                try (WeftSocket c = WeftSocket.connect(server.localAddress())) {
                    Thread w = netpoll.ofVirtual().start(() -> {
                        try {
                            c.write(data, 0, data.length);
                            c.shutdownOutput();
                        } catch (IOException e) {
                            got.completeExceptionally(e);
                        }
                    });
                    got.complete(c.inputStream().readAllBytes());
                    w.join();
                } catch (Exception e) {
                    got.completeExceptionally(e);
                }
            });
            assertArrayEquals(data, got.get());
        }
    }

    @Test
    void heapAndDirectBuffersAndStreams() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            serveEcho(server);
            String got = onFiber(() -> {
                try (WeftSocket c = WeftSocket.connect(server.localAddress())) {
                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    assertTrue(c.getOption(StandardSocketOptions.TCP_NODELAY));
                    c.write(ByteBuffer.wrap("heap,".getBytes()));
                    ByteBuffer d = ByteBuffer.allocateDirect(7).put("direct,".getBytes()).flip();
                    c.write(d);
                    OutputStream out = c.outputStream();
                    out.write("stream".getBytes());
                    c.shutdownOutput();
                    InputStream in = c.inputStream();
                    return new String(in.readAllBytes());
                }
            }).get();
            assertEquals("heap,direct,stream", got);
        }
    }

    @Test
    void socketOptionsRoundTrip() throws Exception {
        Map<java.net.SocketOption<?>, Object> opts = Map.of(StandardSocketOptions.SO_REUSEPORT, true,
                StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        try (WeftServerSocket a = WeftServerSocket.bind(LOOPBACK, 16, opts);
                WeftServerSocket b = WeftServerSocket.bind(a.localAddress(), 16, opts)) {   // SO_REUSEPORT: same port
            assertEquals(a.localAddress(), b.localAddress());
            assertTrue(a.getOption(StandardSocketOptions.SO_REUSEPORT));
            assertTrue(a.getOption(StandardSocketOptions.SO_RCVBUF) >= 64 * 1024);
            CompletableFuture<Object> accepted = CompletableFuture.anyOf(onFiber(a::accept), onFiber(b::accept));
            try (WeftSocket c = WeftSocket.connect(a.localAddress())) {
                c.setOption(StandardSocketOptions.SO_KEEPALIVE, true)
                        .setOption(StandardSocketOptions.SO_SNDBUF, 32 * 1024)
                        .setOption(StandardSocketOptions.SO_LINGER, 5);
                assertTrue(c.getOption(StandardSocketOptions.SO_KEEPALIVE));
                assertTrue(c.getOption(StandardSocketOptions.SO_SNDBUF) >= 32 * 1024);
                assertEquals(5, c.getOption(StandardSocketOptions.SO_LINGER));
                c.setOption(StandardSocketOptions.SO_LINGER, -1);
                assertEquals(-1, c.getOption(StandardSocketOptions.SO_LINGER));
                assertThrows(IllegalArgumentException.class, () -> c.setOption(StandardSocketOptions.SO_RCVBUF, 0));
                WeftSocket s = (WeftSocket) accepted.get();       // the kernel picks a or b
                assertEquals(c.localAddress(), s.remoteAddress());
                s.close();
            }
        }
    }

    @Test
    void thousandConcurrentConnections() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 2048)) {
            serveEcho(server);
            CompletableFuture<?>[] all = new CompletableFuture<?>[1_000];
            for (int i = 0; i < all.length; i++) {
                byte[] msg = ("connection " + i).getBytes();
                all[i] = onFiber(() -> {
                    try (WeftSocket c = WeftSocket.connect(server.localAddress())) {
                        for (int k = 0; k < 10; k++) {
                            c.write(msg, 0, msg.length);
                            byte[] got = new byte[msg.length];
                            for (int n = 0; n < got.length;) {
                                n += c.read(got, n, got.length - n);
                            }
                            assertArrayEquals(msg, got);
                        }
                    }
                    return null;
                });
            }
            CompletableFuture.allOf(all).get();
        }
    }

    @Test
    void ipv6Loopback() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        assertInstanceOf(Inet6Address.class, v6);
        WeftServerSocket server;
        try {
            server = WeftServerSocket.bind(new InetSocketAddress(v6, 0), 16);
        } catch (ErrnoException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (server) {
            serveEcho(server);
            assertArrayEquals("six".getBytes(), roundTrip(server.localAddress(), "six".getBytes()));
        }
    }

    @Test
    void halfCloseLetsThePeerAnswerAfterEndOfStream() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            CompletableFuture<String> heard = onFiber(() -> {
                try (WeftSocket s = server.accept()) {
                    String req = new String(s.inputStream().readAllBytes());   // until the half-close
                    s.write(("got " + req).getBytes(), 0, 4 + req.length());
                    return req;
                }
            });
            String reply = onFiber(() -> {
                try (WeftSocket c = WeftSocket.connect(server.localAddress())) {
                    c.write("ping".getBytes(), 0, 4);
                    c.shutdownOutput();
                    return new String(c.inputStream().readAllBytes());
                }
            }).get();
            assertEquals("ping", heard.get());
            assertEquals("got ping", reply);
        }
    }

    @Test
    void peerResetIsAnErrnoExceptionNamingTheCall() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            CompletableFuture<Throwable> readFailure = onFiber(() -> {
                try (WeftSocket s = server.accept()) {
                    byte[] b = new byte[16];
                    assertEquals(1, s.read(b, 0, b.length));
                    try {
                        s.read(b, 0, b.length);             // waits; the peer resets
                        return null;
                    } catch (IOException e) {
                        return e;
                    }
                }
            });
            try (Socket jdk = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
                jdk.getOutputStream().write(1);
                jdk.setSoLinger(true, 0);                   // close sends RST
            }
            Throwable t = readFailure.get();
            ErrnoException e = assertInstanceOf(ErrnoException.class, t);
            assertEquals(Errno.ECONNRESET, e.errno());
            assertTrue(e.getMessage().matches("read\\(fd=\\d+\\): ECONNRESET"), e.getMessage());
        }
    }

    @Test
    void connectRefusedNamesTheErrno() throws Exception {
        int port;
        try (WeftServerSocket s = WeftServerSocket.bind(LOOPBACK, 1)) {
            port = s.localAddress().getPort();
        }
        CompletableFuture<Object> r = onFiber(() -> WeftSocket.connect(new InetSocketAddress(LOOPBACK.getAddress(), port)));
        Exception e = assertThrows(Exception.class, r::get);
        assertInstanceOf(ConnectException.class, e.getCause());
        assertTrue(e.getCause().getMessage().endsWith("ECONNREFUSED"), e.getCause().getMessage());
    }

    @Test
    void closeFromAnotherFiberEndsABlockedReadAndAccept() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            AtomicReference<Thread> acceptor = new AtomicReference<>();
            CompletableFuture<Object> accepting = onFiber(() -> {
                acceptor.set(Thread.currentThread());
                return server.accept();
            });
            await().atMost(Bounded.HANG).until(() -> acceptor.get() != null && acceptor.get().getState() == Thread.State.WAITING);
            server.close();
            assertInstanceOf(AsynchronousCloseException.class, assertThrows(Exception.class, accepting::get).getCause());
            assertThrows(ClosedChannelException.class, server::accept);
        }
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            CompletableFuture<WeftSocket> accepted = onFiber(server::accept);
            try (WeftSocket c = onFiber(() -> WeftSocket.connect(server.localAddress())).get()) {
                WeftSocket s = accepted.get();
                AtomicReference<Thread> reader = new AtomicReference<>();
                CompletableFuture<Object> reading = onFiber(() -> {
                    reader.set(Thread.currentThread());
                    return s.read(ByteBuffer.allocate(8));
                });
                await().atMost(Bounded.HANG).until(() -> reader.get() != null && reader.get().getState() == Thread.State.WAITING);
                s.close();
                assertInstanceOf(AsynchronousCloseException.class, assertThrows(Exception.class, reading::get).getCause());
                assertFalse(s.isOpen());
                assertThrows(ClosedChannelException.class, () -> s.read(ByteBuffer.allocate(1)));
            }
        }
    }

    @Test
    void killEndsABlockedRead() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            CompletableFuture<WeftSocket> accepted = onFiber(server::accept);
            try (WeftSocket c = onFiber(() -> WeftSocket.connect(server.localAddress())).get();
                    WeftSocket s = accepted.get()) {
                AtomicReference<Fiber> fiber = new AtomicReference<>();
                CompletableFuture<Object> reading = onFiber(() -> {
                    fiber.set(Fiber.current());
                    return s.read(ByteBuffer.allocate(8));
                });
                await().atMost(Bounded.HANG).until(() -> fiber.get() != null && fiber.get().thread().getState() == Thread.State.WAITING);
                fiber.get().kill();
                assertInstanceOf(FiberKilledException.class, assertThrows(Exception.class, reading::get).getCause());
                c.write(ByteBuffer.wrap(new byte[] {7}));          // the socket still works
                ByteBuffer one = ByteBuffer.allocate(1);
                assertEquals(1, onFiber(() -> s.read(one)).get());
                assertEquals(7, one.get(0));
            }
        }
    }

    @Test
    void interruptEndsABlockedReadAndKeepsTheSocketOpen() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            CompletableFuture<WeftSocket> accepted = onFiber(server::accept);
            try (WeftSocket c = onFiber(() -> WeftSocket.connect(server.localAddress())).get();
                    WeftSocket s = accepted.get()) {
                AtomicReference<Thread> reader = new AtomicReference<>();
                CompletableFuture<Boolean> reading = onFiber(() -> {
                    reader.set(Thread.currentThread());
                    try {
                        s.read(ByteBuffer.allocate(8));
                        return false;
                    } catch (java.io.InterruptedIOException e) {
                        return Thread.currentThread().isInterrupted();   // the status is kept
                    }
                });
                await().atMost(Bounded.HANG).until(() -> reader.get() != null && reader.get().getState() == Thread.State.WAITING);
                reader.get().interrupt();
                assertTrue(reading.get(), "InterruptedIOException with the interrupt status still set");
                assertTrue(s.isOpen());
                c.write(ByteBuffer.wrap(new byte[] {9}));
                ByteBuffer one = ByteBuffer.allocate(1);
                assertEquals(1, onFiber(() -> s.read(one)).get());
            }
        }
    }

    @Test
    void platformThreadsMayUseWeftSocketsToo() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            serveEcho(server);
            byte[] got = new byte[5];
            try (WeftSocket c = WeftSocket.connect(server.localAddress())) {   // the test's platform thread
                c.write("plain".getBytes(), 0, 5);
                for (int n = 0; n < 5;) {
                    n += c.read(got, n, 5 - n);
                }
            }
            assertEquals("plain", new String(got));
        }
    }

    @Test
    void badInputIsRejectedClearly() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> WeftServerSocket.bind(LOOPBACK, 0));
        assertThrows(IllegalArgumentException.class, () -> WeftSocket.connect(null));
        assertThrows(java.net.UnknownHostException.class,
                () -> WeftSocket.connect(InetSocketAddress.createUnresolved("nowhere.invalid", 1)));
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 16)) {
            ErrnoException inUse = assertThrows(ErrnoException.class,
                    () -> WeftServerSocket.bind(server.localAddress(), 16, Map.of()));
            assertTrue(inUse.getMessage().contains("EADDRINUSE"), inUse.getMessage());
            assertThrows(UnsupportedOperationException.class,
                    () -> server.getOption(StandardSocketOptions.IP_TOS));
        }
        assertThrows(IllegalArgumentException.class, () -> FdWatch.of(-1));
        ErrnoException badFd = assertThrows(ErrnoException.class, () -> FdWatch.of(1_000_000));
        assertTrue(badFd.getMessage().contains("EBADF"), badFd.getMessage());
    }

    /** 100,000 connect/accept/close cycles: the process's fd count comes back. */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void connectCloseCyclesLeakNoFd() throws Exception {
        try (WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 1024)) {
            CompletableFuture<Void> acceptor = onFiber(() -> {
                try {
                    for (;;) {
                        server.accept().close();
                    }
                } catch (ClosedChannelException end) {          // AsynchronousCloseException included
                    return null;
                }
            });
            long before = openFds();
            int fibers = 4;
            CompletableFuture<?>[] clients = new CompletableFuture<?>[fibers];
            for (int f = 0; f < fibers; f++) {
                clients[f] = onFiber(() -> {
                    for (int i = 0; i < 100_000 / fibers; i++) {
                        WeftSocket c = WeftSocket.connect(server.localAddress());
                        c.setOption(StandardSocketOptions.SO_LINGER, 0);   // RST: no TIME_WAIT pile-up
                        c.close();
                    }
                    return null;
                });
            }
            CompletableFuture.allOf(clients).get();
            server.close();
            acceptor.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> openFds() <= before);
        }
    }

    static long openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
