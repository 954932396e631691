package dev.weft.io;

import dev.weft.scheduler.WeftScheduler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM main: JDK socket waits that began before Weft took the JDK's pollers over,
 * and waits on either side of a scheduler that closes, all end. Exits 0 after printing
 * "JDK socket waits served"; a wait that does not end exits 2.
 */
public final class JdkSocketWaitsProbe {
    private static ServerSocketChannel server;

    public static void main(String[] args) throws Exception {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ThreadFactory jdk = Thread.ofVirtual().factory();
        SocketChannel[] early = pair(), earlyClosed = pair();
        CompletableFuture<Object> earlyRead = readOn(jdk, early[0]);
        CompletableFuture<Object> earlyClosedRead = readOn(jdk, earlyClosed[0]);
        awaitRegistered(early[0]);
        awaitRegistered(earlyClosed[0]);

        WeftScheduler polling = WeftScheduler.builder().name("probe-netpoll").idlePoller(NetPoll.idlePoller()).build();
        WeftScheduler plain = WeftScheduler.builder().name("probe-plain").build();
        SocketChannel[] onPolling = pair(), onPlain = pair();
        CompletableFuture<Object> pollingRead = readOn(polling.threadFactory(), onPolling[0]);
        CompletableFuture<Object> plainRead = readOn(plain.threadFactory(), onPlain[0]);
        awaitRegistered(onPolling[0]);
        awaitRegistered(onPlain[0]);

        earlyClosed[0].close();
        expect(earlyClosedRead, AsynchronousCloseException.class, "a read from before the take-over, its socket closed");
        early[1].write(ByteBuffer.wrap(new byte[] {1}));
        expect(earlyRead, Integer.class, "a read from before the take-over, data arrives");
        onPolling[1].write(ByteBuffer.wrap(new byte[] {1}));
        expect(pollingRead, Integer.class, "a read on the NetPoll scheduler");
        polling.close();
        onPlain[1].write(ByteBuffer.wrap(new byte[] {1}));
        expect(plainRead, Integer.class, "a read on another scheduler, after the NetPoll one closed");
        SocketChannel[] late = pair();
        CompletableFuture<Object> lateRead = readOn(jdk, late[0]);
        awaitRegistered(late[0]);
        late[1].write(ByteBuffer.wrap(new byte[] {1}));
        expect(lateRead, Integer.class, "a default virtual thread's read after the take-over");
        plain.close();
        System.out.println("JDK read pollers: " + Class.forName("sun.nio.ch.Poller").getMethod("readPollers").invoke(null));
        System.out.println("JDK socket waits served");
    }

    /** Child-JVM main: builds and closes a scheduler (which installs the JDK socket waits). */
    public static final class BuildOnly {
        public static void main(String[] args) throws Exception {
            WeftScheduler.builder().name("probe-build").build().close();
            System.out.println("built");
        }
    }

    private static SocketChannel[] pair() throws Exception {
        SocketChannel peer = SocketChannel.open(server.getLocalAddress());
        return new SocketChannel[] {server.accept(), peer};
    }

    private static CompletableFuture<Object> readOn(ThreadFactory threads, SocketChannel ch) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        threads.newThread(() -> {
            try {
                done.complete(ch.read(ByteBuffer.allocate(8)));
            } catch (Throwable e) {
                done.complete(e);
            }
        }).start();
        return done;
    }

    /** Waits until some thread is blocked reading {@code ch} (the JDK's poller map holds its fd). */
    private static void awaitRegistered(SocketChannel ch) throws Exception {
        int fd = JdkSocketWaitsTest.fdOf(ch);
        Class<?> poller = Class.forName("sun.nio.ch.Poller");
        var readPollers = poller.getMethod("readPollers");
        var map = poller.getDeclaredField("map");
        map.setAccessible(true);
        org.awaitility.Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> {
            for (Object p : (java.util.List<?>) readPollers.invoke(null)) {
                if (((java.util.Map<?, ?>) map.get(p)).containsKey(fd)) {
                    return true;
                }
            }
            return false;
        });
    }

    private static void expect(CompletableFuture<Object> f, Class<?> type, String what) throws Exception {
        Object outcome;
        try {
            outcome = f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            fail(what + ": still waiting after 30 s");
            return;
        }
        if (!type.isInstance(outcome)) {
            fail(what + ": expected " + type.getSimpleName() + ", got " + outcome);
        }
        System.out.println("ended: " + what);
    }

    private static void fail(String why) {
        System.out.println("FAILED: " + why);
        System.exit(2);
    }
}
