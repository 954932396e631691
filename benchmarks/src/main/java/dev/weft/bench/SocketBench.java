package dev.weft.bench;

import dev.weft.samples.EchoServers;
import dev.weft.io.WeftServerSocket;
import dev.weft.io.WeftSocket;
import dev.weft.scheduler.WeftScheduler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadFactory;

/**
 * Socket ping-pong in one JVM: C connections, each a client fiber sending 64 bytes and
 * reading them back from an echo fiber, 20,000 round trips per connection. JDK side: JDK
 * sockets on default virtual threads; Weft side: WeftSocket on Weft fibers. Reports ns per
 * round trip (all connections together) and bytes allocated per round trip, both sides:
 * the allocation check of Weft's read/write/wait path.
 *
 * <pre>benchmarks/run-bench SocketBench [--rounds=5] [--warmup=2]</pre>
 */
public final class SocketBench {
    private SocketBench() { }

    private static final int TRIPS = 20_000;
    private static final int SIZE = 64;

    public static void main(String[] args) throws Exception {
        Harness h = Harness.fromArgs(args);
        h.printHeader("socket ping-pong (64 B)");
        try (WeftScheduler weft = WeftScheduler.builder().name("socket-bench").build();
                ServerSocket jdkServer = new ServerSocket(0, 1024, java.net.InetAddress.getLoopbackAddress());
                WeftServerSocket weftServer = WeftServerSocket.bind(new InetSocketAddress("127.0.0.1", 0), 1024)) {
            ThreadFactory jdk = Thread.ofVirtual().factory();
            jdk.newThread(() -> serveJdk(jdkServer, jdk)).start();
            weft.ofVirtual().start(() -> serveWeft(weftServer, weft));
            for (int conns : new int[] {1, 16}) {
                h.compare("pingpong/" + conns, "ns/roundtrip",
                        () -> run(jdk, conns, () -> jdkClient(jdkServer)),
                        () -> run(weft.threadFactory(), conns, () -> weftClient(weftServer)));
            }
        }
    }

    interface Client {
        void run() throws IOException;
    }

    private static long run(ThreadFactory f, int conns, Client c) throws InterruptedException {
        Thread[] ts = new Thread[conns];
        for (int i = 0; i < conns; i++) {
            ts[i] = f.newThread(() -> {
                try {
                    c.run();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        return (long) conns * TRIPS;
    }

    private static void jdkClient(ServerSocket server) throws IOException {
        try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort())) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] msg = new byte[SIZE];
            for (int i = 0; i < TRIPS; i++) {
                out.write(msg);
                in.readNBytes(msg, 0, SIZE);
            }
        }
    }

    private static void weftClient(WeftServerSocket server) throws IOException {
        try (WeftSocket s = WeftSocket.connect(server.localAddress())) {
            s.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer msg = ByteBuffer.allocateDirect(SIZE);
            for (int i = 0; i < TRIPS; i++) {
                msg.clear();
                s.write(msg);
                msg.clear();
                while (msg.hasRemaining()) {
                    s.read(msg);
                }
            }
        }
    }

    private static void serveJdk(ServerSocket server, ThreadFactory f) {
        try {
            for (;;) {
                Socket s = server.accept();
                f.newThread(() -> EchoServers.echo(s)).start();
            }
        } catch (IOException closed) {
            // benchmark over
        }
    }

    private static void serveWeft(WeftServerSocket server, WeftScheduler weft) {
        try {
            for (;;) {
                WeftSocket s = server.accept();                // the echo sets TCP_NODELAY
                weft.ofVirtual().start(() -> EchoServers.echo(s));
            }
        } catch (IOException closed) {
            // benchmark over
        }
    }
}
