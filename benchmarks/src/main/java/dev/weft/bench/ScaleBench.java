package dev.weft.bench;

import dev.weft.scheduler.WeftScheduler;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * Cost per thread at scale: N virtual threads (default 1,000,000) started from a platform
 * thread, each parks until released; then a platform thread unparks them all and joins
 * them. Per side and round: the start time (first start until every thread has reached its park),
 * the heap per parked thread (used heap after a full GC with all of them parked, against
 * the same reading before any started) and the wake-plus-exit time (first unpark until
 * the last join). Sides alternate in one JVM (same heap flags), medians of the rounds.
 *
 * <pre>
 *   benchmarks/run-bench ScaleBench [--threads=1000000] [--rounds=5] [--warmup=1]
 * </pre>
 * Give it heap for both sides' threads: {@code HEAP="-Xms6g -Xmx6g"}.
 */
public final class ScaleBench {
    private ScaleBench() { }

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** One round's three readings. */
    private record Reading(double startNs, double bytes, double wakeNs) { }

    public static void main(String[] args) throws Exception {
        int threads = 1_000_000, rounds = 5, warmup = 1;
        for (String a : args) {
            String key = a.split("=", 2)[0];
            switch (key) {
                case "--threads" -> threads = Harness.positive(a);
                case "--rounds" -> rounds = Harness.positive(a);
                case "--warmup" -> warmup = Integer.parseInt(a.substring(a.indexOf('=') + 1));
                default -> throw new IllegalArgumentException("unknown argument " + a
                        + "; takes --threads=N --rounds=N --warmup=N");
            }
        }
        System.out.printf(Locale.ROOT, "# cost per thread at scale: %,d parked threads, %d processors, %s,"
                        + " heap max %d MB, median of %d rounds after %d warm-up%n", threads,
                Runtime.getRuntime().availableProcessors(), Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20, rounds, warmup);
        Thread[] all = new Thread[threads];
        try (WeftScheduler weft = WeftScheduler.builder().name("scale").build()) {
            ThreadFactory jdk = Thread.ofVirtual().factory();
            ThreadFactory ours = weft.threadFactory();
            for (int i = 0; i < warmup; i++) {
                round(jdk, all);
                round(ours, all);
            }
            Reading[] rj = new Reading[rounds], rw = new Reading[rounds];
            for (int r = 0; r < rounds; r++) {
                rj[r] = round(jdk, all);
                rw[r] = round(ours, all);
            }
            System.out.printf(Locale.ROOT, "%-26s %12s %12s %7s   %s%n", "per thread", "default", "weft", "ratio",
                    "rounds default | weft");
            print("start ns", rj, rw, Reading::startNs);
            print("heap B parked", rj, rw, Reading::bytes);
            print("wake+exit ns", rj, rw, Reading::wakeNs);
        }
    }

    private static void print(String what, Reading[] rj, Reading[] rw, java.util.function.ToDoubleFunction<Reading> f) {
        double[] j = Arrays.stream(rj).mapToDouble(f).toArray(), w = Arrays.stream(rw).mapToDouble(f).toArray();
        double mj = Harness.median(j), mw = Harness.median(w);
        System.out.printf(Locale.ROOT, "%-26s %12.1f %12.1f %7.2f   %s | %s%n", what, mj, mw, mw / mj,
                Arrays.toString(Arrays.stream(j).mapToLong(Math::round).toArray()),
                Arrays.toString(Arrays.stream(w).mapToLong(Math::round).toArray()));
    }

    private static Reading round(ThreadFactory f, Thread[] all) throws InterruptedException {
        int n = all.length;
        long before = usedAfterGc();
        CountDownLatch parked = new CountDownLatch(n);
        Runnable body = () -> {
            parked.countDown();
            while (!released) {
                LockSupport.park();
            }
        };
        released = false;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            (all[i] = f.newThread(body)).start();
        }
        parked.await();
        long t1 = System.nanoTime();
        long during = usedAfterGc();
        released = true;
        long t2 = System.nanoTime();
        for (Thread t : all) {
            LockSupport.unpark(t);
        }
        for (Thread t : all) {
            t.join();
        }
        long t3 = System.nanoTime();
        Arrays.fill(all, null);
        return new Reading((t1 - t0) / (double) n, (during - before) / (double) n, (t3 - t2) / (double) n);
    }

    private static volatile boolean released;    // written by the main thread, read by the parked ones

    private static long usedAfterGc() {
        System.gc();
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }
}
