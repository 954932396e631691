package dev.weft.bench;

import dev.weft.samples.EchoServers;
import dev.weft.scheduler.Priority;
import dev.weft.io.NetPoll;
import dev.weft.scheduler.WeftScheduler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * The echo servers the echo benchmark compares, one per JVM (the servers themselves are
 * the demo's, {@link EchoServers}):
 * <ul>
 * <li>{@code jdk}: JDK blocking sockets, a default virtual thread per connection;</li>
 * <li>{@code weft-jdk}: the same JDK sockets, on Weft fibers;</li>
 * <li>{@code weft-jdk-netpoll}: the same on a scheduler whose workers poll epoll themselves (NetPoll);</li>
 * <li>{@code weft}: Weft's edge-triggered sockets on Weft fibers, poller thread;</li>
 * <li>{@code weft-netpoll}: the same with workers polling epoll themselves (NetPoll);</li>
 * <li>{@code netty}: Netty 4.2 native epoll, one event loop per CPU (2 here).</li>
 * <li>{@code netty-io_uring}: the same on Netty's io_uring transport (fails at start,
 *     naming the cause, where the kernel refuses io_uring).</li>
 * <li>{@code weft-cpu-flood-high}, {@code weft-cpu-flood-normal}: {@code weft} with its
 *     connections at HIGH (or NORMAL) while {@value #FLOOD_FIBERS} fibers at LOW (or NORMAL)
 *     spin {@value #SPIN_MICROS} µs and yield, for as long as the server runs: every worker
 *     busy, so each readiness must reach a worker through a saturated CPU and run queue.</li>
 * </ul>
 * <pre>java ... dev.weft.bench.EchoServer KIND PORT</pre>
 * Prints "listening PORT" when ready and serves until killed.
 */
public final class EchoServer {
    static final int FLOOD_FIBERS = 100, SPIN_MICROS = 20;

    private EchoServer() { }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int port = Integer.parseInt(args[1]);
        EchoServers.Running server = switch (kind) {
            case "jdk" -> EchoServers.start("jdk-default", port);
            case "weft-jdk" -> EchoServers.start("weft-jdk-sockets", port);
            case "weft-jdk-netpoll" -> EchoServers.jdkSockets(port,
                    WeftScheduler.builder().name("echo-jdk-netpoll").idlePoller(NetPoll.idlePoller()).build());
            case "weft" -> EchoServers.weftSockets(port, WeftScheduler.builder().name("echo").build(), Priority.NORMAL);
            case "weft-netpoll" -> EchoServers.start("weft-sockets", port);
            case "netty" -> EchoServers.start("netty-epoll", port);
            case "netty-io_uring" -> nettyIoUring(port);
            case "weft-cpu-flood-high" -> cpuFlooded(port, Priority.HIGH, Priority.LOW);
            case "weft-cpu-flood-normal" -> cpuFlooded(port, Priority.NORMAL, Priority.NORMAL);
            default -> throw new IllegalArgumentException("unknown server " + kind + " (jdk, weft-jdk,"
                    + " weft-jdk-netpoll, weft, weft-netpoll, netty, netty-io_uring, weft-cpu-flood-high, weft-cpu-flood-normal)");
        };
        System.out.println("listening " + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }

    private static EchoServers.Running nettyIoUring(int port) throws Exception {
        if (!IoUring.isAvailable()) {
            throw new IllegalStateException("Netty's io_uring transport is not available here", IoUring.unavailabilityCause());
        }
        return EchoServers.netty(port, Runtime.getRuntime().availableProcessors(), IoUringIoHandler.newFactory(),
                IoUringServerSocketChannel.class);
    }

    /** The Weft-socket echo at {@code echo} priority on a scheduler kept busy by spinning fibers at {@code flood}. */
    private static EchoServers.Running cpuFlooded(int port, Priority echo, Priority flood) throws Exception {
        WeftScheduler weft = WeftScheduler.builder().name("echo-cpu-flood").build();
        for (int i = 0; i < FLOOD_FIBERS; i++) {
            weft.ofVirtual(flood).start(EchoServer::spinAndYieldForever);
        }
        return EchoServers.weftSockets(port, weft, echo);
    }

    private static void spinAndYieldForever() {
        for (;;) {
            long until = System.nanoTime() + SPIN_MICROS * 1_000L;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            Thread.yield();
        }
    }
}
