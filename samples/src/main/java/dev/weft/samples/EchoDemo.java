package dev.weft.samples;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The main demo: echo servers on the JDK default scheduler and on Weft, driven by the same
 * load generator (a separate JVM by default), compared side by side in a table and in a
 * self-contained HTML report. Modes: the comparison (default), {@code --listen PORT} (one
 * server for external clients), {@code --priority} (a LOW-priority flood next to a
 * HIGH-priority client), {@code --soak} (1,000 connections for --duration, resources
 * printed, then checked back to baseline). {@code --help} lists the flags.
 */
public final class EchoDemo {
    private EchoDemo() { }

    static final String USAGE = """
            usage: ./demo [flags]
              --connections N   concurrent connections (default 100; soak: 1000)
              --size B          message size in bytes (default 64)
              --duration S      measured seconds per server (default 5)
              --warmup S        warm-up seconds per server (default 2)
              --servers LIST    comma-separated, from: jdk-default,weft-jdk-sockets,weft-sockets,netty-epoll (default: all)
              --in-process      run the load generator in this JVM (default: its own process)
              --report PATH     where the HTML report goes (default target/echo-report.html)
              --listen PORT     only run the first server of --servers on PORT, for external clients
              --priority        priority demo: a LOW-priority flood and a HIGH-priority client on one Weft scheduler
              --soak            soak: --connections for --duration, printing RSS, fds and fibers; checks they return
            """;

    /** Parsed flags. */
    record Options(int connections, int size, int duration, int warmup, List<String> servers, boolean inProcess,
                   Path report, int listen, boolean priority, boolean soak) {
        static Options parse(String[] args) {
            int connections = -1, size = 64, duration = 5, warmup = 2, listen = -1;
            List<String> servers = EchoServers.KINDS;
            boolean inProcess = false, priority = false, soak = false;
            Path report = Path.of("target", "echo-report.html");
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--connections" -> connections = positive(a, value(args, ++i, a));
                    case "--size" -> size = positive(a, value(args, ++i, a));
                    case "--duration" -> duration = positive(a, value(args, ++i, a));
                    case "--warmup" -> warmup = nonNegative(a, value(args, ++i, a));
                    case "--servers" -> servers = servers(value(args, ++i, a));
                    case "--report" -> report = Path.of(value(args, ++i, a));
                    case "--listen" -> listen = nonNegative(a, value(args, ++i, a));
                    case "--in-process" -> inProcess = true;
                    case "--priority" -> priority = true;
                    case "--soak" -> soak = true;
                    case "--help", "-h" -> throw new UsageException(null);
                    default -> throw new UsageException("unknown flag " + a);
                }
            }
            if (connections < 0) {
                connections = soak ? 1000 : 100;
            }
            return new Options(connections, size, duration, warmup, servers, inProcess, report, listen, priority, soak);
        }

        private static String value(String[] args, int i, String flag) {
            if (i >= args.length) {
                throw new UsageException(flag + " needs a value");
            }
            return args[i];
        }

        private static int positive(String flag, String v) {
            int n = number(flag, v);
            if (n < 1) {
                throw new UsageException(flag + " must be >= 1, got " + v);
            }
            return n;
        }

        private static int nonNegative(String flag, String v) {
            int n = number(flag, v);
            if (n < 0) {
                throw new UsageException(flag + " must be >= 0, got " + v);
            }
            return n;
        }

        private static int number(String flag, String v) {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new UsageException(flag + " takes a number, got " + v);
            }
        }

        private static List<String> servers(String list) {
            List<String> s = Arrays.stream(list.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
            for (String k : s) {
                if (!EchoServers.KINDS.contains(k)) {
                    throw new UsageException("unknown server " + k + "; known: " + String.join(",", EchoServers.KINDS));
                }
            }
            if (s.isEmpty()) {
                throw new UsageException("--servers needs at least one server");
            }
            return s;
        }
    }

    /** A bad command line: the message (or none, for --help) and the usage. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (UsageException e) {
            if (e.getMessage() != null) {
                System.err.println("demo: " + e.getMessage());
            }
            System.err.print(USAGE);
            System.exit(e.getMessage() == null ? 0 : 2);
            return;
        }
        if (o.listen() >= 0) {
            listen(o);
        } else if (o.priority()) {
            PriorityDemo.run(o, System.out);
        } else if (o.soak()) {
            Soak.run(o, System.out::println);
        } else {
            compare(o);
        }
        System.exit(0);
    }

    private static void listen(Options o) throws Exception {
        String kind = o.servers().get(0);
        try (EchoServers.Running s = EchoServers.start(kind, o.listen())) {
            System.out.println("echo server " + kind + " listening on 127.0.0.1:" + s.port() + "; Ctrl-C to stop");
            Thread.currentThread().join();
        }
    }

    private static void compare(Options o) throws Exception {
        String setup = String.format(Locale.ROOT, "%d connections, %d-byte messages, %d s warm-up + %d s measured per server;"
                        + " load generator in %s; %d CPUs, %s, JDK %s", o.connections(), o.size(), o.warmup(),
                o.duration(), o.inProcess() ? "this JVM" : "its own JVM", Runtime.getRuntime().availableProcessors(),
                cpuModel(), Runtime.version());
        System.out.println("Weft echo demo: " + setup);
        List<HtmlReport.Row> rows = new ArrayList<>();
        for (String kind : o.servers()) {
            try (EchoServers.Running server = EchoServers.start(kind, 0)) {
                rows.add(measure(kind, server.port(), o));
            }
        }
        System.out.printf(Locale.ROOT, "%n%-18s %12s %10s %10s %10s %10s %8s %10s %16s%n", "server", "msgs/s", "p50 us",
                "p99 us", "p99.9 us", "max us", "CPU s/s", "CPU us/msg", "vs Netty (rate/CPU)");
        for (HtmlReport.Row r : rows) {
            EchoClient.Result x = r.result();
            System.out.printf(Locale.ROOT, "%-18s %,12.0f %,10d %,10d %,10d %,10d %8.2f %10.2f %16s%s%n", r.server(),
                    x.msgsPerSecond(), x.p50(), x.p99(), x.p999(), x.max(), r.cpuSecondsPerSecond(), r.cpuMicrosPerMessage(),
                    HtmlReport.vsNetty(r, rows), x.errors() > 0 ? "  (" + x.errors() + " connections failed)" : "");
        }
        HtmlReport.Row base = rows.get(0);
        for (HtmlReport.Row r : rows.subList(1, rows.size())) {
            System.out.printf(Locale.ROOT, "%s / %s: throughput %.2fx, p99 %.2fx%n", r.server(), base.server(),
                    r.result().msgsPerSecond() / base.result().msgsPerSecond(),
                    (double) r.result().p99() / Math.max(1, base.result().p99()));
        }
        Path report = o.report().toAbsolutePath();
        Files.createDirectories(report.getParent());
        Files.writeString(report, HtmlReport.render("Weft echo demo", setup, rows));
        System.out.println("report: " + report);
    }

    /** Drives one server; returns its row (the server's CPU is this JVM's, measured over the run). */
    static HtmlReport.Row measure(String label, int port, Options o) throws Exception {
        long cpu0 = processCpuNanos(), t0 = System.nanoTime();
        Consumer<String> progress = line -> {
            String[] p = line.split(" ");
            System.out.printf(Locale.ROOT, "\r  %-18s %3s s  %-7s %,12.0f msgs/s   ", label, p[1], p[2], Double.parseDouble(p[3]));
            System.out.flush();
        };
        EchoClient.Result r = o.inProcess()
                ? EchoClient.run(port, o.connections(), o.size(), o.warmup(), o.duration(), progress)
                : runClientProcess(port, o.connections(), o.size(), o.warmup(), o.duration(), progress);
        double cpu = (processCpuNanos() - cpu0) / (double) (System.nanoTime() - t0);
        System.out.printf(Locale.ROOT, "\r  %-18s done: %,.0f msgs/s, p99 %,d us%30s%n", label, r.msgsPerSecond(), r.p99(), "");
        return new HtmlReport.Row(label, r, cpu);
    }

    /** Runs {@link EchoClient} in its own JVM (same java, same class path), relaying its progress. */
    static EchoClient.Result runClientProcess(int port, int connections, int size, int warmup, int duration,
                                              Consumer<String> progress) throws IOException, InterruptedException {
        return LoadProcess.run(EchoClient.class, progress, String.valueOf(port), String.valueOf(connections),
                String.valueOf(size), String.valueOf(warmup), String.valueOf(duration));
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
