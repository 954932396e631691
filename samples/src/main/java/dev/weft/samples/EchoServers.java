package dev.weft.samples;

import dev.weft.io.AcceptBackoff;
import dev.weft.io.NetPoll;
import dev.weft.io.WeftServerSocket;
import dev.weft.io.WeftSocket;
import dev.weft.scheduler.Priority;
import dev.weft.scheduler.WeftScheduler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The echo servers of the demo (the first three: one virtual thread per connection):
 * <ul>
 * <li>{@code jdk-default}: JDK blocking sockets on the JDK's default virtual-thread scheduler;</li>
 * <li>{@code weft-jdk-sockets}: the same code on Weft fibers (only the thread factory changes);</li>
 * <li>{@code weft-sockets}: Weft's edge-triggered sockets, workers polling epoll themselves (NetPoll);</li>
 * <li>{@code netty-epoll}: Netty 4.2's native epoll transport, one event loop per CPU: the
 *     reference an event-loop server sets.</li>
 * </ul>
 * Each runs until {@link Running#close()}, which closes the listener and every open
 * connection and ends the server's threads.
 */
public final class EchoServers {
    private EchoServers() { }

    /** The server kinds, by the names the demo's --servers flag takes. */
    public static final java.util.List<String> KINDS = java.util.List.of("jdk-default", "weft-jdk-sockets", "weft-sockets",
            "netty-epoll");

    /** A running server. */
    public interface Running extends AutoCloseable {
        /** The port it listens on (127.0.0.1). */
        int port();

        /** Connections open now. */
        int connections();

        /** Stops accepting, closes every connection, ends its threads. */
        @Override
        void close();
    }

    /** A server's handle from three functions. */
    private record Handle(java.util.function.IntSupplier portOf, java.util.function.IntSupplier open, Runnable stop)
            implements Running {
        @Override
        public int port() {
            return portOf.getAsInt();
        }

        @Override
        public int connections() {
            return open.getAsInt();
        }

        @Override
        public void close() {
            stop.run();
        }
    }

    /**
     * Starts a server of {@code kind} on 127.0.0.1:{@code port} (0: any free port).
     *
     * @throws IllegalArgumentException for an unknown kind, naming the known ones
     */
    public static Running start(String kind, int port) throws IOException {
        return switch (kind) {
            case "jdk-default" -> jdkSockets(port, Thread.ofVirtual().factory(), null);
            case "weft-jdk-sockets" -> {
                WeftScheduler weft = WeftScheduler.builder().name("echo-jdk-sockets").build();
                yield jdkSockets(port, weft.threadFactory(), weft);
            }
            case "weft-sockets" -> {
                WeftScheduler weft = WeftScheduler.builder().name("echo-weft").idlePoller(NetPoll.idlePoller()).build();
                yield closingScheduler(weftSockets(port, weft, Priority.NORMAL), weft);
            }
            case "netty-epoll" -> netty(port, Runtime.getRuntime().availableProcessors(), EpollIoHandler.newFactory(),
                    EpollServerSocketChannel.class);
            default -> throw new IllegalArgumentException("unknown server " + kind + "; known: " + KINDS);
        };
    }

    /**
     * The blocking JDK-socket echo server on fibers of {@code weft}; closing it closes
     * {@code weft} too.
     */
    public static Running jdkSockets(int port, WeftScheduler weft) throws IOException {
        return jdkSockets(port, weft.threadFactory(), weft);
    }

    private static Running jdkSockets(int port, ThreadFactory fibers, WeftScheduler owned) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        Set<Socket> open = ConcurrentHashMap.newKeySet();
        Thread acceptor = fibers.newThread(() -> {
            AcceptBackoff backoff = new AcceptBackoff("echo on " + server.getLocalSocketAddress());
            try {
                for (;;) {
                    Socket s;
                    try {
                        s = server.accept();
                    } catch (IOException e) {
                        if (server.isClosed()) {
                            return;                    // closed by close(): stop accepting
                        }
                        backoff.pause(e);              // a JDK socket names no errno: every failure while open passes
                        continue;
                    }
                    backoff.reset();
                    open.add(s);
                    fibers.newThread(() -> {
                        echo(s);
                        open.remove(s);
                    }).start();
                }
            } catch (IOException interrupted) {
                // interrupted while pausing: stop accepting
            }
        });
        acceptor.start();
        return new Handle(server::getLocalPort, open::size, () -> {
            closeQuietly(server);
            open.forEach(EchoServers::closeQuietly);
            join(acceptor);
            if (owned != null) {
                owned.close();
            }
        });
    }

    /**
     * A Weft-sockets echo server on {@code weft} whose connection fibers run at
     * {@code priority}; closing it leaves the scheduler running (several servers may share it).
     */
    public static Running weftSockets(int port, WeftScheduler weft, Priority priority) throws IOException {
        WeftServerSocket server = WeftServerSocket.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        Set<WeftSocket> open = ConcurrentHashMap.newKeySet();
        Thread acceptor = weft.ofVirtual(priority).start(() -> {
            AcceptBackoff backoff = new AcceptBackoff("echo on " + server.localAddress());
            try {
                for (;;) {
                    WeftSocket s;
                    try {
                        s = server.accept();
                    } catch (IOException e) {
                        if (!AcceptBackoff.isTransient(e)) {
                            throw e;                   // closed by close(), or a real failure
                        }
                        backoff.pause(e);
                        continue;
                    }
                    backoff.reset();
                    open.add(s);
                    weft.ofVirtual(priority).start(() -> {
                        echo(s);
                        open.remove(s);
                    });
                }
            } catch (IOException closed) {
                // the listener was closed (or interrupted while pausing): stop accepting
            }
        });
        return new Handle(() -> server.localAddress().getPort(), open::size, () -> {
            server.close();
            open.forEach(WeftSocket::close);
            join(acceptor);
        });
    }

    /**
     * Netty's echo on {@code loops} event loops of the transport that {@code io} and
     * {@code channel} name (the demo's is native epoll): read, write back, flush at the end
     * of each read batch.
     */
    public static Running netty(int port, int loops, IoHandlerFactory io, Class<? extends ServerChannel> channel)
            throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, io);
        Set<Channel> open = ConcurrentHashMap.newKeySet();
        Channel listener;
        try {
            listener = new ServerBootstrap().group(group)
                    .channel(channel)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            open.add(ch);
                            ch.closeFuture().addListener(f -> open.remove(ch));
                            ch.pipeline().addLast(new NettyEcho());
                        }
                    })
                    .bind("127.0.0.1", port).sync().channel();
        } catch (InterruptedException e) {
            group.shutdownGracefully();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while binding");
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw e;
        }
        return new Handle(() -> ((InetSocketAddress) listener.localAddress()).getPort(), open::size, () -> {
            listener.close().syncUninterruptibly();
            open.forEach(Channel::close);
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        });
    }

    /** Netty's side of the echo: each read goes back, flushed once per read batch. */
    private static final class NettyEcho extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();                           // a bad client: this connection ends, nothing else
        }
    }

    private static Running closingScheduler(Running server, WeftScheduler weft) {
        return new Handle(server::port, server::connections, () -> {
            server.close();
            weft.close();
        });
    }

    /** Echoes until the peer closes or fails: JDK sockets. */
    public static void echo(Socket s) {
        byte[] buf = new byte[16 * 1024];
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            s.setTcpNoDelay(true);
            for (int n; (n = in.read(buf)) > 0;) {
                out.write(buf, 0, n);
            }
        } catch (IOException gone) {
            // reset, closed by close(), or a bad client: this connection ends, nothing else
        }
    }

    /** Echoes until the peer closes or fails: Weft sockets. */
    public static void echo(WeftSocket s) {
        ByteBuffer buf = ByteBuffer.allocateDirect(16 * 1024);
        try (s) {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            while (s.read(buf) > 0) {
                buf.flip();
                s.write(buf);
                buf.clear();
            }
        } catch (IOException gone) {
            // reset, closed by close(), or a bad client: this connection ends, nothing else
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing on the way out: the socket is gone either way
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
