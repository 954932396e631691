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
 * {@code --duration} seconds, printing RSS, open fds, live fibers and open connections
 * every 2 seconds; when the clients have gone, it waits (at most 30 s) for fds and fibers
 * to come back to where they were before the first connection, and says whether they did.
 */
final class Soak {
    private Soak() { }

    /** Resource readings. */
    record Sample(long rssKb, long fds, long fibers, int connections) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "rss %,d kB, fds %d, live fibers %d, connections %d", rssKb, fds, fibers, connections);
        }
    }

    /** What a soak saw: before, at the peak, after; and whether it came back. */
    record Outcome(Sample before, Sample peak, Sample after, EchoClient.Result load, boolean backToBaseline) { }

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
            while (!load.isDone()) {
                Thread.sleep(2000);
                Sample s = sample(weft, server);
                if (s.connections() >= peak.connections()) {
                    peak = s;
                }
                out.accept("  " + s);
            }
            EchoClient.Result result = load.join();
            long deadline = System.nanoTime() + 30_000_000_000L;
            Sample after = sample(weft, server);
            while (!back(before, after) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                after = sample(weft, server);
            }
            boolean ok = back(before, after);
            out.accept(String.format(Locale.ROOT, "soak: %,.0f msgs/s, p99 %,d us, %d connections failed; after: %s -> %s",
                    result.msgsPerSecond(), result.p99(), result.errors(), after,
                    ok ? "back to baseline" : "NOT back to baseline"));
            return new Outcome(before, peak, after, result, ok);
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
        return new Sample(rss, fds, weft.stats().liveFibers(), server.connections());
    }
}
