package dev.weft.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop echo load (Netty native epoll, 2 event loops): each connection sends a
 * message, waits for all of it to come back, records the round trip, sends the next.
 * <pre>java ... dev.weft.bench.EchoLoad PORT CONNECTIONS SIZE WARMUP_S MEASURE_S</pre>
 * Prints one line: {@code msgs/s=... p50_us=... p99_us=... p999_us=... conn_msgs_min/median/max=...}
 * (the last: messages per connection in the measured window, which shows whether a tail
 * is some connections starved or every connection stalling now and then).
 */
public final class EchoLoad {
    private EchoLoad() { }

    /** One connection's closed loop; runs on its event loop thread only. */
    private static final class Conn extends ChannelInboundHandlerAdapter {
        private final ByteBuf msg;
        private final int size;
        private final Histogram hist;                 // per connection: no sharing across loops
        private int got;
        private long sentAt;
        volatile boolean recording;
        long count;                                   // read after the run

        Conn(int size) {
            this.size = size;
            this.msg = Unpooled.unreleasableBuffer(Unpooled.directBuffer(size).writeZero(size));
            this.hist = new Histogram(3_600_000_000L, 3);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            send(ctx);
        }

        private void send(ChannelHandlerContext ctx) {
            got = 0;
            sentAt = System.nanoTime();
            ctx.writeAndFlush(msg.retainedDuplicate());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object o) {
            ByteBuf b = (ByteBuf) o;
            got += b.readableBytes();
            b.release();
            if (got >= size) {
                if (recording) {
                    hist.recordValue((System.nanoTime() - sentAt) / 1000);
                    count++;
                }
                send(ctx);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        long warmupMs = Long.parseLong(args[3]) * 1000;
        long measureMs = Long.parseLong(args[4]) * 1000;
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        List<Conn> conns = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Conn c = new Conn(size);
                conns.add(c);
                channels.add(new Bootstrap().group(loops).channel(EpollSocketChannel.class)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .handler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(c);
                            }
                        })
                        .connect("127.0.0.1", port).sync().channel());
            }
            Thread.sleep(warmupMs);                       // a run length, not synchronization
            conns.forEach(c -> c.recording = true);
            long t0 = System.nanoTime();
            Thread.sleep(measureMs);
            conns.forEach(c -> c.recording = false);
            long elapsed = System.nanoTime() - t0;
            Thread.sleep(200);                            // let in-flight recordings finish
            Histogram all = new Histogram(3_600_000_000L, 3);
            long count = 0;
            for (Conn c : conns) {
                all.add(c.hist);
                count += c.count;
            }
            long[] perConn = conns.stream().mapToLong(c -> c.count).sorted().toArray();
            System.out.printf("msgs/s=%.0f p50_us=%d p99_us=%d p999_us=%d conn_msgs_min/median/max=%d/%d/%d%n",
                    count * 1e9 / elapsed, all.getValueAtPercentile(50), all.getValueAtPercentile(99),
                    all.getValueAtPercentile(99.9), perConn[0], perConn[perConn.length / 2], perConn[perConn.length - 1]);
        } finally {
            channels.forEach(Channel::close);
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }
}
