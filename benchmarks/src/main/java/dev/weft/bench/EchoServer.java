package dev.weft.bench;

import dev.weft.samples.EchoServers;
import dev.weft.io.WeftServerSocket;
import dev.weft.io.WeftSocket;
import dev.weft.scheduler.WeftScheduler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ThreadFactory;

/**
 * The echo servers the echo benchmark compares, one per JVM:
 * <ul>
 * <li>{@code jdk}: JDK blocking sockets, a default virtual thread per connection;</li>
 * <li>{@code weft-jdk}: the same JDK sockets, on Weft fibers;</li>
 * <li>{@code weft}: Weft's edge-triggered sockets on Weft fibers;</li>
 * <li>{@code netty}: Netty 4.2 native epoll, 2 event loops.</li>
 * </ul>
 * <pre>java ... dev.weft.bench.EchoServer KIND PORT</pre>
 * Prints "listening PORT" when ready and serves until killed.
 */
public final class EchoServer {
    private EchoServer() { }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int port = Integer.parseInt(args[1]);
        switch (kind) {
            case "jdk" -> jdkSockets(port, Thread.ofVirtual().factory());
            case "weft-jdk" -> jdkSockets(port, WeftScheduler.builder().name("echo").build().threadFactory());
            case "weft" -> weftSockets(port, WeftScheduler.builder().name("echo").build());
            case "weft-netpoll" -> weftSockets(port,
                    WeftScheduler.builder().name("echo").idlePoller(dev.weft.io.NetPoll.idlePoller()).build());
            case "netty" -> netty(port);
            default -> throw new IllegalArgumentException("unknown server " + kind + " (jdk, weft-jdk, weft, netty)");
        }
    }

    private static void ready(int port) {
        System.out.println("listening " + port);
        System.out.flush();
    }

    private static void jdkSockets(int port, ThreadFactory fibers) throws Exception {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        ready(port);
        Thread acceptor = fibers.newThread(() -> {
            try {
                for (;;) {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    fibers.newThread(() -> EchoServers.echo(s)).start();
                }
            } catch (IOException e) {
                e.printStackTrace();
            }
        });
        acceptor.start();
        acceptor.join();
    }

    private static void weftSockets(int port, WeftScheduler weft) throws Exception {
        WeftServerSocket server = WeftServerSocket.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        ready(port);
        Thread acceptor = weft.ofVirtual().start(() -> {
            try {
                for (;;) {
                    WeftSocket s = server.accept();
                    s.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                    weft.ofVirtual().start(() -> EchoServers.echo(s));
                }
            } catch (IOException e) {
                e.printStackTrace();
            }
        });
        acceptor.join();
    }

    private static void netty(int port) throws Exception {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        new ServerBootstrap().group(loops).channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
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
                                ctx.close();
                            }
                        });
                    }
                })
                .bind("127.0.0.1", port).sync();
        ready(port);
        Thread.currentThread().join();
    }
}
