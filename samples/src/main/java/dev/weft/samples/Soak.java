package dev.weft.samples;

import dev.weft.io.NetPoll;
import dev.weft.scheduler.Priority;
import dev.weft.scheduler.WeftScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Soak mode: the Weft-sockets echo server under {@code --connections} (default 1,000) for
 * {@code --duration} seconds, printing RSS, open fds, live fibers, the heap after a forced
 * GC and open connections every 2 seconds. At the end it says whether the load was flat:
 * each reading's median over the last third of the run within 5% of its median over the
 * second third (the first third is warm-up: JIT, heap sizing). When the clients have gone,
 * it waits (at most 30 s) for fds and fibers to come back to where they were before the
 * first connection, and says whether they did.
 */
final class Soak {
    private Soak() { }

    /** Resource readings. */
    record Sample(long rssKb, long fds, long fibers, long heapAfterGcKb, int connections) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "rss %,d kB, fds %d, live fibers %d, heap after GC %,d kB, connections %d",
                    rssKb, fds, fibers, heapAfterGcKb, connections);
        }
    }

    /**
     * What a soak saw: before, at the peak, after; whether it came back; and the drift of
     * each reading under load (last third's median over the second third's, as a ratio).
     */
    record Outcome(Sample before, Sample peak, Sample after, EchoClient.Result load, boolean backToBaseline,
                   Drift drift) { }

    /** Last-third median / second-third median of each reading, under load. */
    record Drift(double rss, double fds, double fibers, double heapAfterGc) {
        static final double FLAT = 0.05;

        boolean flat() {
            return Math.abs(rss - 1) <= FLAT && Math.abs(fds - 1) <= FLAT && Math.abs(fibers - 1) <= FLAT
                    && Math.abs(heapAfterGc - 1) <= FLAT;
        }

        static Drift of(java.util.List<Sample> load) {
            int n = load.size(), a = n / 3, b = 2 * n / 3;
            if (n < 3) {
                return new Drift(1, 1, 1, 1);
            }
            java.util.List<Sample> middle = load.subList(a, b), last = load.subList(b, n);
            return new Drift(ratio(last, middle, Sample::rssKb), ratio(last, middle, Sample::fds),
                    ratio(last, middle, Sample::fibers), ratio(last, middle, Sample::heapAfterGcKb));
        }

        private static double ratio(java.util.List<Sample> last, java.util.List<Sample> middle,
                                    java.util.function.ToLongFunction<Sample> f) {
            return (double) median(last, f) / Math.max(1, median(middle, f));
        }

        private static long median(java.util.List<Sample> s, java.util.function.ToLongFunction<Sample> f) {
            long[] v = s.stream().mapToLong(f).sorted().toArray();
            return v[v.length / 2];
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "drift (last third / second third, medians): rss %.3f, fds %.3f, fibers %.3f,"
                    + " heap after GC %.3f -> %s", rss, fds, fibers, heapAfterGc,
                    flat() ? "flat within 5%" : "NOT flat within 5%");
        }
    }

    static Outcome run(EchoDemo.Options o, Consumer<String> out) throws Exception {
        WeftScheduler weft = WeftScheduler.builder().name("echo-soak").idlePoller(NetPoll.idlePoller()).build();
        try (weft; EchoServers.Running server = EchoServers.weftSockets(0, weft, Priority.NORMAL)) {
            Sample before = sample(weft, server);
            out.accept("soak: " + o.connections() + " connections for " + o.duration() + " s; before: " + before);
            CompletableFuture<EchoClient.Result> load = CompletableFuture.supplyAsync(() -> {
                try {
                    return o.inProcess()
                            ? EchoClient.run(server.port(), o.connections(), o.size(), 0, o.duration(), line -> { })
                            : EchoDemo.runClientProcess(server.port(), o.connections(), o.size(), 0, o.duration(), line -> { });
                } catch (Exception e) {
                    throw new IllegalStateException("soak load generator failed", e);
                }
            });
            Sample peak = before;
            java.util.List<Sample> underLoad = new java.util.ArrayList<>();
            while (!load.isDone()) {
                Thread.sleep(2000);
                Sample s = sample(weft, server);
                if (s.connections() >= peak.connections()) {
                    peak = s;
                }
                if (s.connections() > 0) {
                    underLoad.add(s);
                }
                out.accept("  " + s);
            }
            Drift drift = Drift.of(underLoad);
            EchoClient.Result result = load.join();
            long deadline = System.nanoTime() + 30_000_000_000L;
            Sample after = sample(weft, server);
            while (!back(before, after) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                after = sample(weft, server);
            }
            boolean ok = back(before, after);
            out.accept(String.format(Locale.ROOT, "soak: %,.0f msgs/s, p99 %,d us, %d connections failed; %s; after: %s -> %s",
                    result.msgsPerSecond(), result.p99(), result.errors(), drift, after,
                    ok ? "back to baseline" : "NOT back to baseline"));
            return new Outcome(before, peak, after, result, ok, drift);
        }
    }

    private static boolean back(Sample before, Sample after) {
        return after.connections() == 0 && after.fds() <= before.fds() && after.fibers() <= before.fibers();
    }

    static Sample sample(WeftScheduler weft, EchoServers.Running server) throws IOException {
        long rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .findFirst().map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(-1L);
        long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.count();
        }
        return new Sample(rss, fds, weft.stats().liveFibers(), heapAfterGcKb(), server.connections());
    }

    /**
     * The heap in use right after a collection forced for the reading: what is still
     * reachable. (Weft's steady state allocates so little that, left alone, a 1 GB heap
     * may not collect at all during a soak.)
     */
    private static long heapAfterGcKb() {
        java.lang.management.MemoryMXBean m = java.lang.management.ManagementFactory.getMemoryMXBean();
        m.gc();
        return m.getHeapMemoryUsage().getUsed() / 1024;
    }
}
