package dev.weft.samples;

import dev.weft.scheduler.Priority;
import dev.weft.scheduler.WeftScheduler;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Priorities on one Weft scheduler: two echo ports, a flood of connections on one and a
 * single latency probe on the other. After an unreported warm-up round: probe at HIGH with
 * the flood at LOW, then both at NORMAL; the probe's round trip is printed for each, with
 * the flood's throughput.
 */
final class PriorityDemo {
    private PriorityDemo() { }

    static void run(EchoDemo.Options o) throws Exception {
        System.out.printf(Locale.ROOT, "Weft priority demo: a flood of %d connections on one port, one probe connection"
                + " on another, %d s + %d s each way%n", o.connections(), o.warmup(), o.duration());
        round(o, Priority.NORMAL, Priority.NORMAL);     // warm-up round, not reported: the first one runs cold JIT code
        Round tiered = round(o, Priority.HIGH, Priority.LOW);
        Round flat = round(o, Priority.NORMAL, Priority.NORMAL);
        System.out.printf(Locale.ROOT, "%n%-28s %12s %12s %16s%n", "", "probe p50 us", "probe p99 us", "flood msgs/s");
        print("probe HIGH, flood LOW", tiered);
        print("probe NORMAL, flood NORMAL", flat);
        System.out.printf(Locale.ROOT, "probe p99 at HIGH / at NORMAL: %.2fx%n",
                (double) tiered.probe.p99() / Math.max(1, flat.probe.p99()));
    }

    private record Round(EchoClient.Result probe, EchoClient.Result flood) { }

    private static void print(String what, Round r) {
        System.out.printf(Locale.ROOT, "%-28s %,12d %,12d %,16.0f%n", what, r.probe.p50(), r.probe.p99(), r.flood.msgsPerSecond());
    }

    private static Round round(EchoDemo.Options o, Priority probePriority, Priority floodPriority) throws Exception {
        // The poller thread, not NetPoll: under a flood no worker is ever idle, so a worker
        // poll would find the probe's readiness only between floods of work (measured: no
        // gain for HIGH); the poller thread hands it over at once and the HIGH lane is
        // served first.
        WeftScheduler weft = WeftScheduler.builder().name("echo-priority").build();
        try (weft;
             EchoServers.Running probeServer = EchoServers.weftSockets(0, weft, probePriority);
             EchoServers.Running floodServer = EchoServers.weftSockets(0, weft, floodPriority)) {
            CompletableFuture<EchoClient.Result> flood = CompletableFuture.supplyAsync(() -> {
                try {
                    return EchoDemo.runClientProcess(floodServer.port(), o.connections(), o.size(), o.warmup(),
                            o.duration(), line -> { });
                } catch (Exception e) {
                    throw new IllegalStateException("flood client failed", e);
                }
            });
            EchoClient.Result probe = EchoDemo.runClientProcess(probeServer.port(), 1, o.size(), o.warmup(),
                    o.duration(), line -> {
                        String[] p = line.split(" ");
                        System.out.printf(Locale.ROOT, "\r  probe %s / flood %s: %3s s  %-7s", probePriority,
                                floodPriority, p[1], p[2]);
                        System.out.flush();
                    });
            System.out.println();
            return new Round(probe, flood.join());
        }
    }
}
