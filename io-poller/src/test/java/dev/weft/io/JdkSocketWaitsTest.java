package dev.weft.io;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.Bounded;
import dev.weft.scheduler.ChildJvm;
import dev.weft.scheduler.WeftScheduler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The JDK's socket waits of Weft fibers in Weft's epoll sets: where they wait (the
 * kernel's own listing of each epoll set, /proc/self/fdinfo), and that JDK sockets behave
 * on Weft exactly as on the default scheduler (the same assertions run on both).
 */
class JdkSocketWaitsTest {
    private final WeftScheduler weft = WeftScheduler.builder().workers(2).name("jdk-sockets").build();

    @AfterEach
    void close() throws InterruptedException {
        Bounded.close(weft, "JdkSocketWaitsTest");
    }

    /** A connected pair: [0] accepted (the side under test), [1] the peer. */
    private static SocketChannel[] pair() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel peer = SocketChannel.open(server.getLocalAddress());
            return new SocketChannel[] {server.accept(), peer};
        }
    }

    static int fdOf(SocketChannel ch) throws ReflectiveOperationException {
        var m = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
        m.setAccessible(true);
        return (int) m.invoke(ch);
    }

    /**
     * The directions and one-shot flag {@code fd} is registered with in Weft's epoll set for
     * it (the kernel adds EPOLLERR and EPOLLHUP to every mask; they are left out), or -1 if
     * it is not there.
     */
    static long weftInterest(int fd) throws IOException {
        String info = Files.readString(Path.of("/proc/self/fdinfo/" + Pollers.forFd(fd).epfd()));
        Matcher m = Pattern.compile("tfd:\\s+(\\d+)\\s+events:\\s+([0-9a-f]+)").matcher(info);
        while (m.find()) {
            if (Integer.parseInt(m.group(1)) == fd) {
                return Long.parseLong(m.group(2), 16) & (Linux.EPOLLIN | Linux.EPOLLOUT | Linux.EPOLLONESHOT);
            }
        }
        return -1;
    }

    private static final long ARMED_IN = Linux.EPOLLONESHOT | Linux.EPOLLIN, ARMED_IN_OUT = ARMED_IN | Linux.EPOLLOUT;

    private static CompletableFuture<Integer> readOn(ThreadFactory threads, SocketChannel ch, List<Thread> started) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Thread t = threads.newThread(() -> {
            try {
                done.complete(ch.read(ByteBuffer.allocate(16)));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        started.add(t);
        t.start();
        return done;
    }

    private static void awaitParked(Thread t) {
        await().atMost(Bounded.HANG).until(() -> t.getState() == Thread.State.WAITING
                || t.getState() == Thread.State.TIMED_WAITING);
    }

    @Test
    void aFibersBlockedReadWaitsInWeftsEpollSetAndWakesOnData() throws Exception {
        SocketChannel[] p = pair();
        try (SocketChannel mine = p[0]; SocketChannel peer = p[1]) {
            int fd = fdOf(mine);
            List<Thread> threads = new ArrayList<>();
            CompletableFuture<Integer> read = readOn(weft.threadFactory(), mine, threads);
            awaitParked(threads.get(0));
            await().atMost(Bounded.HANG).until(() -> weftInterest(fd) == ARMED_IN);
            peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertEquals(3, read.get(Bounded.HANG.toSeconds(), TimeUnit.SECONDS));
            assertEquals(Linux.EPOLLONESHOT, weftInterest(fd), "fired once, disarmed, left in the set");
        }
    }

    @Test
    void aDefaultVirtualThreadsWaitStaysWithTheJdk() throws Exception {
        SocketChannel[] p = pair();
        try (SocketChannel mine = p[0]; SocketChannel peer = p[1]) {
            int fd = fdOf(mine);
            List<Thread> threads = new ArrayList<>();
            CompletableFuture<Integer> read = readOn(Thread.ofVirtual().factory(), mine, threads);
            awaitParked(threads.get(0));
            assertEquals(-1, weftInterest(fd));
            peer.write(ByteBuffer.wrap(new byte[] {1}));
            assertEquals(1, read.get(Bounded.HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void aReaderAndAWriterOfOneSocketWaitAtOnce() throws Exception {
        SocketChannel[] p = pair();
        try (SocketChannel mine = p[0]; SocketChannel peer = p[1]) {
            int fd = fdOf(mine);
            mine.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            List<Thread> threads = new ArrayList<>();
            CompletableFuture<Integer> read = readOn(weft.threadFactory(), mine, threads);
            int total = 1 << 20;            // more than the kernel buffers of both ends hold before the peer reads
            CompletableFuture<Void> wrote = new CompletableFuture<>();
            Thread writer = weft.ofVirtual().start(() -> {
                try {
                    ByteBuffer big = ByteBuffer.allocate(total);
                    while (big.hasRemaining()) {
                        mine.write(big);
                    }
                    wrote.complete(null);
                } catch (Throwable e) {
                    wrote.completeExceptionally(e);
                }
            });
            awaitParked(threads.get(0));
            awaitParked(writer);
            await().atMost(Bounded.HANG).until(() -> weftInterest(fd) == ARMED_IN_OUT);
            peer.write(ByteBuffer.wrap(new byte[] {7}));
            assertEquals(1, read.get(Bounded.HANG.toSeconds(), TimeUnit.SECONDS));
            assertFalse(wrote.isDone(), "the writer still waits for room");
            ByteBuffer sink = ByteBuffer.allocate(64 << 10);
            long drained = 0;
            while (drained < total) {
                sink.clear();
                drained += peer.read(sink);
            }
            wrote.get(Bounded.HANG.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * The reader's wait ends by its timeout while the writer still waits: the read bit
     * left armed in the kernel brings a spurious event, which must re-arm the writer's.
     */
    @Test
    void aReaderTimingOutLeavesTheWritersWaitArmed() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Socket peer = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket mine = server.accept()) {
            mine.setSendBufferSize(4096);
            mine.setSoTimeout(200);
            int total = 1 << 20;
            CompletableFuture<Object> wrote = new CompletableFuture<>();
            Thread writer = weft.ofVirtual().start(() -> {
                try {
                    mine.getOutputStream().write(new byte[total]);
                    wrote.complete("done");
                } catch (Throwable e) {
                    wrote.complete(e);
                }
            });
            awaitParked(writer);
            CompletableFuture<Object> read = new CompletableFuture<>();
            weft.ofVirtual().start(() -> {
                try {
                    read.complete(mine.getInputStream().read());
                } catch (Throwable e) {
                    read.complete(e);
                }
            });
            assertInstanceOf(SocketTimeoutException.class, read.get(Bounded.HANG.toSeconds(), TimeUnit.SECONDS));
            peer.getOutputStream().write(1);              // an event for the direction nobody waits on now
            assertFalse(wrote.isDone(), "the writer still waits for room");
            peer.setSoTimeout((int) Bounded.HANG.toMillis());   // a stranded writer fails the drain, bounded
            InputStream in = peer.getInputStream();
            byte[] sink = new byte[64 << 10];
            long drained = 0;
            while (drained < total) {
                drained += in.read(sink);
            }
            assertEquals("done", wrote.get(Bounded.HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void closingTheSocketEndsAWaitingReadAsOnTheDefault() throws Exception {
        for (ThreadFactory threads : List.of(Thread.ofVirtual().factory(), weft.threadFactory())) {
            try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                 Socket peer = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 Socket mine = server.accept()) {
                CompletableFuture<Object> read = new CompletableFuture<>();
                Thread t = threads.newThread(() -> {
                    try (InputStream in = mine.getInputStream()) {
                        read.complete(in.read());
                    } catch (Throwable e) {
                        read.complete(e);
                    }
                });
                t.start();
                awaitParked(t);
                mine.close();
                Object outcome = read.get(Bounded.HANG.toSeconds(), TimeUnit.SECONDS);
                assertInstanceOf(SocketException.class, outcome, "on " + t);
                assertEquals("Socket closed", ((SocketException) outcome).getMessage());
            }
        }
    }

    @Test
    void aReadTimeoutThrowsSocketTimeoutExceptionAsOnTheDefault() throws Exception {
        for (ThreadFactory threads : List.of(Thread.ofVirtual().factory(), weft.threadFactory())) {
            try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                 Socket peer = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 Socket mine = server.accept()) {
                mine.setSoTimeout(50);
                CompletableFuture<Object> read = new CompletableFuture<>();
                threads.newThread(() -> {
                    try {
                        read.complete(mine.getInputStream().read());
                    } catch (Throwable e) {
                        read.complete(e);
                    }
                }).start();
                assertInstanceOf(SocketTimeoutException.class, read.get(Bounded.HANG.toSeconds(), TimeUnit.SECONDS));
                peer.getOutputStream().write(9);          // the socket still works after the timeout
                assertEquals(9, mine.getInputStream().read());
            }
        }
    }

    /**
     * Echo over many short connections from fibers and default virtual threads at once:
     * fd numbers are reused all the time, so registrations meet numbers whose old socket
     * left Weft's epoll set when it closed (MOD fails, ADD).
     */
    @Test
    void shortConnectionsFromBothSchedulersReuseFdNumbers() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress())) {
            Thread acceptor = weft.ofVirtual().start(() -> {
                try {
                    for (;;) {
                        Socket s = server.accept();
                        weft.ofVirtual().start(() -> {
                            try (s) {
                                InputStream in = s.getInputStream();
                                int b;
                                while ((b = in.read()) >= 0) {
                                    s.getOutputStream().write(b);
                                }
                            } catch (IOException e) {
                                // the client went away
                            }
                        });
                    }
                } catch (IOException closed) {
                    // the listener closed: done
                }
            });
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 40; c++) {
                ThreadFactory side = c % 2 == 0 ? weft.threadFactory() : Thread.ofVirtual().factory();
                Thread t = side.newThread(() -> {
                    for (int round = 0; round < 50; round++) {
                        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                            for (int i = 0; i < 5; i++) {
                                s.getOutputStream().write(i);
                                assertEquals(i, s.getInputStream().read());
                            }
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    }
                });
                clients.add(t);
                t.start();
            }
            for (Thread t : clients) {
                Bounded.join(t, "echo client " + t);
            }
            server.close();
            Bounded.join(acceptor, "acceptor");
        }
    }

    @Test
    void withoutTheFlagABuildFailsNamingItAndThePropertyTurnsItOff() throws Exception {
        ChildJvm.Result missing = ChildJvm.run(JdkSocketWaitsProbe.BuildOnly.class, List.of(
                "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"));
        assertNotEquals(0, missing.exitCode(), missing.output());
        assertTrue(missing.output().contains("--add-opens java.base/sun.nio.ch=ALL-UNNAMED"), missing.output());
        assertTrue(missing.output().contains("-Ddev.weft.jdkSockets=jdk"), missing.output());

        List<String> off = new ArrayList<>(CHILD_FLAGS);
        off.add("-Ddev.weft.jdkSockets=jdk");
        ChildJvm.Result r = ChildJvm.run(JdkSocketWaitsProbe.class, off);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("JDK socket waits served"), r.output());
        assertFalse(r.output().contains("WeftPoller"), r.output());
    }

    private static final List<String> CHILD_FLAGS = List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED");

    /** In a fresh JVM: waits that began before Weft took over, and waits of a closed scheduler's neighbours, all end. */
    @Test
    void noWaitIsStrandedByTheTakeOverOrByClosingAScheduler() throws Exception {
        ChildJvm.Result r = ChildJvm.run(JdkSocketWaitsProbe.class, CHILD_FLAGS);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("JDK socket waits served"), r.output());
        assertTrue(r.output().contains("WeftPoller"), r.output());
    }
}
