package dev.weft.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * Runs a workload alternately as the JDK-default side and as the Weft side in one JVM
 * (same heap flags by construction), warm-up rounds first, then reports the median time
 * per operation, the ratio Weft/default and bytes allocated per operation by all threads
 * (ThreadMXBean's total: the whole-run equivalent of JMH's -prof gc).
 */
final class Harness {
    /** One run of a workload; returns the number of operations it did. */
    interface Workload {
        long run() throws Exception;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final int rounds;
    private final int warmup;

    Harness(int rounds, int warmup) {
        this.rounds = rounds;
        this.warmup = warmup;
    }

    static void printHeader(String what, int rounds, int warmup) {
        System.out.printf(Locale.ROOT, "# %s: %d processors, %s, heap max %d MB, median of %d rounds after %d warm-up%n",
                what, Runtime.getRuntime().availableProcessors(), Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20, rounds, warmup);
        System.out.printf(Locale.ROOT, "%-14s %-14s %12s %12s %7s %12s %12s%n",
                "bench", "unit", "default", "weft", "ratio", "B/op default", "B/op weft");
    }

    void compare(String name, String unit, Workload jdk, Workload weft) throws Exception {
        for (int i = 0; i < warmup; i++) {
            jdk.run();
            weft.run();
        }
        double[] tj = new double[rounds], tw = new double[rounds], aj = new double[rounds], aw = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            measure(jdk, tj, aj, r);
            measure(weft, tw, aw, r);
        }
        double mj = median(tj), mw = median(tw);
        System.out.printf(Locale.ROOT, "%-14s %-14s %12.1f %12.1f %7.2f %12.1f %12.1f   default %s weft %s%n",
                name, unit, mj, mw, mw / mj, median(aj), median(aw), Arrays.toString(round(tj)), Arrays.toString(round(tw)));
    }

    private static void measure(Workload w, double[] time, double[] alloc, int r) throws Exception {
        System.gc();
        long a0 = THREADS.getTotalThreadAllocatedBytes();
        long t0 = System.nanoTime();
        long ops = w.run();
        long t1 = System.nanoTime();
        long a1 = THREADS.getTotalThreadAllocatedBytes();
        time[r] = (t1 - t0) / (double) ops;
        alloc[r] = (a1 - a0) / (double) ops;
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long[] round(double[] xs) {
        long[] out = new long[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = Math.round(xs[i]);
        }
        return out;
    }

    /** A harness from {@code --rounds=N --warmup=N} (defaults 5 and 2); any other argument is an error. */
    static Harness fromArgs(String[] args) {
        int rounds = 5, warmup = 2;
        for (String a : args) {
            if (a.startsWith("--rounds=")) {
                rounds = positive(a);
            } else if (a.startsWith("--warmup=")) {
                warmup = Integer.parseInt(a.substring(a.indexOf('=') + 1));
            } else {
                throw new IllegalArgumentException("unknown argument " + a + "; takes --rounds=N --warmup=N");
            }
        }
        return new Harness(rounds, warmup);
    }

    void printHeader(String what) {
        printHeader(what, rounds, warmup);
    }

    /** Parses {@code --name=N} as a positive int. */
    static int positive(String arg) {
        int v = Integer.parseInt(arg.substring(arg.indexOf('=') + 1));
        if (v < 1) {
            throw new IllegalArgumentException(arg + ": must be >= 1");
        }
        return v;
    }
}
