package dev.weft.samples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The demo's load generator: {@code connections} JDK sockets, each on its own virtual
 * thread of the JDK's default scheduler, in a closed loop (send a message, read it back,
 * record the round trip in an HdrHistogram, repeat), warm-up first, then a measured window.
 * The same client drives every server, so the servers are what differs.
 *
 * <p>Run as its own process by the demo ({@link #main}: progress and result lines on
 * stdout), or in-process ({@link #run}).
 */
public final class EchoClient {
    private EchoClient() { }

    /** What one measured run gives. Latencies in microseconds. */
    public record Result(double msgsPerSecond, long p50, long p90, long p99, long p999, long max,
                         long errors, List<long[]> curve) {
        /** One line: "result k=v ..." then the curve as percentile:latency pairs. */
        String toLine() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                    "result msgs_per_s=%.1f p50=%d p90=%d p99=%d p999=%d max=%d errors=%d curve=",
                    msgsPerSecond, p50, p90, p99, p999, max, errors));
            for (long[] point : curve) {
                b.append(point[0]).append(':').append(point[1]).append(';');
            }
            return b.toString();
        }

        static Result parse(String line) {
            String[] kv = line.substring("result ".length()).split(" ");
            java.util.Map<String, String> m = new java.util.HashMap<>();
            for (String p : kv) {
                int eq = p.indexOf('=');
                m.put(p.substring(0, eq), p.substring(eq + 1));
            }
            List<long[]> curve = new ArrayList<>();
            for (String pt : m.get("curve").split(";")) {
                if (!pt.isEmpty()) {
                    String[] xy = pt.split(":");
                    curve.add(new long[] {Long.parseLong(xy[0]), Long.parseLong(xy[1])});
                }
            }
            return new Result(Double.parseDouble(m.get("msgs_per_s")), Long.parseLong(m.get("p50")),
                    Long.parseLong(m.get("p90")), Long.parseLong(m.get("p99")), Long.parseLong(m.get("p999")),
                    Long.parseLong(m.get("max")), Long.parseLong(m.get("errors")), curve);
        }
    }

    /** The percentiles of the report's latency curve, in millionths (so 999,900 = 99.99%). */
    static final long[] CURVE = {0, 500_000, 750_000, 900_000, 950_000, 990_000, 995_000, 999_000, 999_500, 999_900, 1_000_000};

    /**
     * {@code java dev.weft.samples.EchoClient PORT CONNECTIONS SIZE WARMUP_S DURATION_S}:
     * prints "progress ELAPSED_S PHASE MSGS_PER_S" each second and a final "result ..." line.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            throw new IllegalArgumentException("usage: EchoClient PORT CONNECTIONS SIZE WARMUP_S DURATION_S");
        }
        Result r = run(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Integer.parseInt(args[3]), Integer.parseInt(args[4]), line -> {
                    System.out.println(line);
                    System.out.flush();
                });
        System.out.println(r.toLine());
        System.out.flush();
    }

    /**
     * Drives the echo server on 127.0.0.1:{@code port}; {@code progress} gets a line each
     * second. Connections that fail are counted as errors and not retried.
     */
    public static Result run(int port, int connections, int size, int warmupSeconds, int durationSeconds,
                             Consumer<String> progress) throws Exception {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, got " + size);
        }
        return drive(connections, warmupSeconds, durationSeconds, progress, (phase, count, h) -> loop(port, size, phase, count, h));
    }

    /** One connection's closed loop: until {@code phase.stop}, one round trip after another. */
    interface Connection {
        void run(Phase phase, LongAdder count, Histogram h) throws IOException;
    }

    /**
     * The driver shared by the load generators: {@code connections} virtual threads each
     * running {@code connection}, warm-up, then the measured window; progress each second.
     */
    static Result drive(int connections, int warmupSeconds, int durationSeconds, Consumer<String> progress,
                        Connection connection) throws Exception {
        if (connections < 1 || warmupSeconds < 0 || durationSeconds < 1) {
            throw new IllegalArgumentException("connections must be >= 1, warm-up >= 0, duration >= 1; got "
                    + connections + ", " + warmupSeconds + ", " + durationSeconds);
        }
        Phase phase = new Phase();
        LongAdder count = new LongAdder();
        LongAdder errors = new LongAdder();
        List<Histogram> histograms = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(connections);
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Histogram h = new Histogram(60_000_000L, 3);   // up to 60 s, in us
            histograms.add(h);
            threads.add(Thread.ofVirtual().name("echo-client-", i).start(() -> {
                try {
                    connection.run(phase, count, h);
                } catch (IOException e) {
                    errors.increment();
                    firstError.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }));
        }
        long start = System.nanoTime();
        long measureFrom = start + warmupSeconds * 1_000_000_000L;
        long end = measureFrom + durationSeconds * 1_000_000_000L;
        long lastCount = 0, lastTime = start;
        boolean measuring = warmupSeconds == 0;
        phase.measuring = measuring;
        long countAtMeasure = 0;
        for (long now; (now = System.nanoTime()) < end && done.getCount() > 0; ) {
            Thread.sleep(Math.min(1000, Math.max(1, (end - now) / 1_000_000)));
            now = System.nanoTime();
            if (!measuring && now >= measureFrom) {
                measuring = true;
                phase.measuring = true;                   // histograms record from here on
                countAtMeasure = count.sum();
                measureFrom = now;
            }
            long c = count.sum();
            progress.accept(String.format(Locale.ROOT, "progress %.0f %s %.0f", (now - start) / 1e9,
                    measuring ? "measure" : "warmup", (c - lastCount) / ((now - lastTime) / 1e9)));
            lastCount = c;
            lastTime = now;
        }
        long total = count.sum() - countAtMeasure;
        double seconds = (System.nanoTime() - measureFrom) / 1e9;
        phase.stop = true;
        for (Thread t : threads) {
            t.join();
        }
        if (errors.sum() == connections) {
            throw new IOException("every connection failed; first: " + firstError.get(), firstError.get());
        }
        Histogram all = new Histogram(60_000_000L, 3);
        histograms.forEach(all::add);
        List<long[]> curve = new ArrayList<>();
        for (long p : CURVE) {
            curve.add(new long[] {p, p == 1_000_000 ? all.getMaxValue() : all.getValueAtPercentile(p / 10_000.0)});
        }
        return new Result(total / seconds, all.getValueAtPercentile(50), all.getValueAtPercentile(90),
                all.getValueAtPercentile(99), all.getValueAtPercentile(99.9), all.getMaxValue(), errors.sum(), curve);
    }

    /** Shared by the connection threads: written by the driver, read per message. */
    static final class Phase {
        volatile boolean measuring;
        volatile boolean stop;

        /** One round trip that started at {@code t0} is done: count it, and record it when measuring. */
        void record(Histogram h, LongAdder count, long t0) {
            if (measuring) {
                h.recordValue(Math.min((System.nanoTime() - t0) / 1000, 60_000_000L));
            }
            count.increment();
        }
    }

    private static void loop(int port, int size, Phase phase, LongAdder count, Histogram h) throws IOException {
        byte[] out = new byte[size], in = new byte[size];
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            InputStream is = s.getInputStream();
            OutputStream os = s.getOutputStream();
            while (!phase.stop) {
                long t0 = System.nanoTime();
                os.write(out);
                for (int got = 0; got < size; ) {
                    int n = is.read(in, got, size - got);
                    if (n < 0) {
                        throw new IOException("server closed the connection");
                    }
                    got += n;
                }
                phase.record(h, count, t0);
            }
        }
    }
}
