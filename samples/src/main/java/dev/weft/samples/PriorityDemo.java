package dev.weft.samples;

import dev.weft.scheduler.Priority;
import dev.weft.scheduler.WeftScheduler;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Priorities on one Weft scheduler: two echo ports, a flood of connections on one and a
 * single latency probe on the other. After an unreported warm-up round: probe at HIGH with
 * the flood at LOW, then both at NORMAL, then each probe alone (no flood); the probe's
 * round trip is printed for each, with the flood's throughput, and the two ratios that say
 * whether priorities protect the probe: its p99 at HIGH under the flood against NORMAL
 * under the flood, and against HIGH with no flood at all.
 */
final class PriorityDemo {
    private PriorityDemo() { }

    static void run(EchoDemo.Options o, PrintStream out) throws Exception {
        out.printf(Locale.ROOT, "Weft priority demo: a flood of %d connections on one port, one probe connection"
                + " on another, %d s + %d s each way%n", o.connections(), o.warmup(), o.duration());
        round(o, out, Priority.NORMAL, Priority.NORMAL);     // warm-up round, not reported: the first one runs cold JIT code
        Round tiered = round(o, out, Priority.HIGH, Priority.LOW);
        Round flat = round(o, out, Priority.NORMAL, Priority.NORMAL);
        Round highAlone = round(o, out, Priority.HIGH, null);
        Round normalAlone = round(o, out, Priority.NORMAL, null);
        out.printf(Locale.ROOT, "%n%-28s %12s %12s %16s%n", "", "probe p50 us", "probe p99 us", "flood msgs/s");
        print(out, "probe HIGH, flood LOW", tiered);
        print(out, "probe NORMAL, flood NORMAL", flat);
        print(out, "probe HIGH, no flood", highAlone);
        print(out, "probe NORMAL, no flood", normalAlone);
        out.printf(Locale.ROOT, "probe p99 under the flood, HIGH / NORMAL: %.2fx%n", ratio(tiered, flat));
        out.printf(Locale.ROOT, "probe p99 at HIGH, flood / no flood:      %.2fx%n", ratio(tiered, highAlone));
    }

    private static double ratio(Round a, Round b) {
        return (double) a.probe.p99() / Math.max(1, b.probe.p99());
    }

    /** One round's results; {@code flood} is null when the probe ran alone. */
    private record Round(EchoClient.Result probe, EchoClient.Result flood) { }

    private static void print(PrintStream out, String what, Round r) {
        out.printf(Locale.ROOT, "%-28s %,12d %,12d %16s%n", what, r.probe.p50(), r.probe.p99(),
                r.flood == null ? "-" : String.format(Locale.ROOT, "%,.0f", r.flood.msgsPerSecond()));
    }

    /** A round with the probe at {@code probePriority} and a flood at {@code floodPriority}, or none if null. */
    private static Round round(EchoDemo.Options o, PrintStream out, Priority probePriority, Priority floodPriority) throws Exception {
        // The poller thread, not NetPoll: under a flood no worker is ever idle, so a worker
        // poll would find the probe's readiness only between floods of work (measured: no
        // gain for HIGH); the poller thread hands it over at once and the HIGH lane is
        // served first.
        WeftScheduler weft = WeftScheduler.builder().name("echo-priority").build();
        try (weft;
             EchoServers.Running probeServer = EchoServers.weftSockets(0, weft, probePriority);
             EchoServers.Running floodServer = floodPriority == null ? null
                     : EchoServers.weftSockets(0, weft, floodPriority)) {
            CompletableFuture<EchoClient.Result> flood = floodServer == null ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.supplyAsync(() -> {
                        try {
                            return EchoDemo.runClientProcess(floodServer.port(), o.connections(), o.size(), o.warmup(),
                                    o.duration(), line -> { });
                        } catch (Exception e) {
                            throw new IllegalStateException("flood client failed", e);
                        }
                    });
            String floodName = floodPriority == null ? "none" : floodPriority.toString();
            EchoClient.Result probe = EchoDemo.runClientProcess(probeServer.port(), 1, o.size(), o.warmup(),
                    o.duration(), line -> {
                        String[] p = line.split(" ");
                        out.printf(Locale.ROOT, "\r  probe %s / flood %s: %3s s  %-7s", probePriority,
                                floodName, p[1], p[2]);
                        out.flush();
                    });
            out.println();
            return new Round(probe, flood.join());
        }
    }
}
