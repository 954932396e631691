package dev.weft.bench;

import dev.weft.samples.EchoClient;
import dev.weft.samples.EchoServers;
import dev.weft.samples.HttpLoad;
import dev.weft.samples.LoadProcess;
import dev.weft.samples.SampleServlet;
import dev.weft.samples.ServletContainers;
import dev.weft.scheduler.Priority;
import dev.weft.scheduler.WeftScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Jetty 12 serving the sample servlet (a 1 ms sleep and a blocking loopback call per
 * request) with its requests on Weft fibers, on the JDK's default virtual threads, and on
 * Jetty's own platform thread pool; load from {@link HttpLoad} in its own JVM (keep-alive,
 * closed loop). Rounds alternate the modes; medians are printed.
 * <pre>java ... dev.weft.bench.ServletBench [CONNECTIONS] [WARMUP_S] [DURATION_S] [ROUNDS]</pre>
 */
public final class ServletBench {
    private ServletBench() { }

    private static final List<String> MODES = List.of("jetty-jdk-virtual", "jetty-weft", "jetty-platform");

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int duration = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        System.out.printf(Locale.ROOT, "# servlet: %d processors, %s, %d connections, %d s + %d s, %d rounds, GET /?sleep=1&msg=hello%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), connections, warmup, duration, rounds);
        WeftScheduler backendScheduler = WeftScheduler.builder().name("backend").workers(1).build();
        EchoServers.Running backend = EchoServers.weftSockets(0, backendScheduler, Priority.NORMAL);
        Map<String, List<EchoClient.Result>> results = new TreeMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String mode : MODES) {
                EchoClient.Result x = run(mode, backend.port(), connections, warmup, duration);
                results.computeIfAbsent(mode, k -> new ArrayList<>()).add(x);
                System.out.printf(Locale.ROOT, "  round %d %-18s %,10.0f req/s  p50 %,7d us  p99 %,7d us%n", r, mode,
                        x.msgsPerSecond(), x.p50(), x.p99());
            }
        }
        System.out.printf(Locale.ROOT, "%-18s %12s %10s %10s%n", "mode", "req/s", "p50 us", "p99 us");
        double baseRate = 0, baseP99 = 0;
        for (String mode : MODES) {
            List<EchoClient.Result> xs = results.get(mode);
            double rate = median(xs.stream().mapToDouble(EchoClient.Result::msgsPerSecond).toArray());
            double p50 = median(xs.stream().mapToDouble(EchoClient.Result::p50).toArray());
            double p99 = median(xs.stream().mapToDouble(EchoClient.Result::p99).toArray());
            if (mode.equals("jetty-jdk-virtual")) {
                baseRate = rate;
                baseP99 = p99;
            }
            System.out.printf(Locale.ROOT, "%-18s %,12.0f %,10.0f %,10.0f   vs jdk-virtual: %.2fx req/s, %.2fx p99%n",
                    mode, rate, p50, p99, rate / baseRate, p99 / baseP99);
        }
        backend.close();
        backendScheduler.close();
        System.exit(0);
    }

    private static EchoClient.Result run(String mode, int backendPort, int connections, int warmup, int duration)
            throws Exception {
        WeftScheduler weft = mode.equals("jetty-weft") ? WeftScheduler.builder().name("jetty-weft").build() : null;
        ExecutorService executor = switch (mode) {
            case "jetty-weft" -> weft.newVirtualThreadPerTaskExecutor();
            case "jetty-jdk-virtual" -> Executors.newVirtualThreadPerTaskExecutor();
            default -> null;
        };
        try (ServletContainers.Running jetty = ServletContainers.jetty(0, new SampleServlet(backendPort), executor)) {
            return LoadProcess.run(HttpLoad.class, line -> { }, String.valueOf(jetty.port()), String.valueOf(connections),
                    String.valueOf(warmup), String.valueOf(duration), "/?sleep=1&msg=hello");
        } finally {
            if (executor != null) {
                executor.close();
            }
            if (weft != null) {
                weft.close();
            }
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
