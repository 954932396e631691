package dev.weft.timers;

import dev.weft.scheduler.FiberCall;
import dev.weft.scheduler.Weft;
import dev.weft.scheduler.WeftScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * Weft's timers against the JDK, in one JVM (identical heap flags), sides alternated,
 * warm-up rounds first, medians reported.
 * <ul>
 * <li>{@code sleep}: F threads each sleep 1 ms ten times — Thread.sleep on the JDK default
 *     scheduler (its DelayScheduler), the same unchanged Thread.sleep code on a Weft
 *     scheduler (the JDK's timed park, whose timeout Weft's timers serve), and Weft.sleep
 *     on the Weft scheduler. Wall time from the first start to the last wake, and lateness
 *     of every wake (HdrHistogram, µs), plus Weft's timerfd_settime calls per 1,000 sleeps.</li>
 * <li>{@code parkcancel}: F threads in pairs pass a token ten times each way, every wait a
 *     {@code LockSupport.parkNanos(10 ms)} that the partner's unpark ends early (the cancel
 *     path of a timed park), unchanged JDK code on the default scheduler and on Weft: wall
 *     time and bytes allocated per wait.</li>
 * <li>{@code cancel}: with 1,000,000 timers pending, schedule + cancel pairs from one
 *     thread: Weft's ScheduledExecutorService facade (until the timer fiber has applied
 *     them all) vs ScheduledThreadPoolExecutor with removeOnCancel, which is what the JDK
 *     uses for timed parks of virtual threads on a custom scheduler.</li>
 * </ul>
 * <pre>java ... dev.weft.timers.TimerBench sleep|parkcancel|cancel [--rounds=5] [--warmup=2] [--fibers=100000]</pre>
 */
public final class TimerBench {
    private TimerBench() { }

    public static void main(String[] args) throws Exception {
        String what = args[0];
        int rounds = 5, warmup = 2, fibers = 100_000;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            int v = Integer.parseInt(a.substring(a.indexOf('=') + 1));
            if (a.startsWith("--rounds=")) {
                rounds = v;
            } else if (a.startsWith("--warmup=")) {
                warmup = v;
            } else if (a.startsWith("--fibers=")) {
                fibers = v;
            } else {
                throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        System.out.printf(Locale.ROOT, "# %s (alarm: %s): %d processors, %s, heap max %d MB, median of %d rounds after %d warm-up%n",
                what, System.getProperty("dev.weft.timers.alarm", "timerfd"), Runtime.getRuntime().availableProcessors(), Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20, rounds, warmup);
        WeftScheduler weft = WeftScheduler.builder().name("timer-bench").build();
        switch (what) {
            case "sleep" -> sleep(weft, fibers, rounds, warmup);
            case "parkcancel" -> parkCancel(weft, fibers, rounds, warmup);
            case "cancel" -> cancel(weft, rounds, warmup);
            default -> throw new IllegalArgumentException("sleep, parkcancel or cancel, not " + what);
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------- sleep

    private static final Duration ONE_MS = Duration.ofMillis(1);

    private record SleepRun(double wallMs, double p50, double p99, double max) { }

    private static void sleep(WeftScheduler weft, int fibers, int rounds, int warmup) throws Exception {
        List<SleepRun> jdk = new ArrayList<>(), jdkOnWeft = new ArrayList<>(), w = new ArrayList<>();
        long settime = 0;
        for (int r = 0; r < warmup + rounds; r++) {
            SleepRun j = sleepRound(Thread.ofVirtual().factory(), fibers, false);
            SleepRun jw = sleepRound(weft.threadFactory(), fibers, false);
            long s0 = TimerFiber.of(weft).armCalls();
            SleepRun x = sleepRound(weft.threadFactory(), fibers, true);
            long s1 = TimerFiber.of(weft).armCalls();
            if (r >= warmup) {
                jdk.add(j);
                jdkOnWeft.add(jw);
                w.add(x);
                settime += s1 - s0;
            }
            System.out.printf(Locale.ROOT, "  round %d: default      %s%n           Thread.sleep %s%n           Weft.sleep   %s,"
                    + " re-arm calls %d%n", r, j, jw, x, s1 - s0);
        }
        SleepRun mj = median(jdk), mjw = median(jdkOnWeft), mw = median(w);
        System.out.printf(Locale.ROOT, "%-24s %10s %10s %10s %10s%n", "side", "wall ms", "p50 us", "p99 us", "max us");
        System.out.printf(Locale.ROOT, "%-24s %10.0f %10.0f %10.0f %10.0f%n", "default Thread.sleep", mj.wallMs, mj.p50, mj.p99, mj.max);
        System.out.printf(Locale.ROOT, "%-24s %10.0f %10.0f %10.0f %10.0f%n", "weft Thread.sleep", mjw.wallMs, mjw.p50, mjw.p99, mjw.max);
        System.out.printf(Locale.ROOT, "%-24s %10.0f %10.0f %10.0f %10.0f%n", "weft Weft.sleep", mw.wallMs, mw.p50, mw.p99, mw.max);
        System.out.printf(Locale.ROOT, "ratio weft/default: Thread.sleep wall %.2f, p99 %.2f; Weft.sleep wall %.2f, p99 %.2f;"
                + " alarm re-arm calls per 1,000 Weft.sleeps %.3f%n",
                mjw.wallMs / mj.wallMs, mjw.p99 / mj.p99, mw.wallMs / mj.wallMs, mw.p99 / mj.p99,
                settime * 1000.0 / ((double) fibers * 10 * rounds));
    }

    // ---------------------------------------------------------------- parkNanos ended early by unpark

    private static final int PARK_TRIPS = 10;

    private static void parkCancel(WeftScheduler weft, int fibers, int rounds, int warmup) throws Exception {
        double[] jt = new double[rounds], wt = new double[rounds], jb = new double[rounds], wb = new double[rounds];
        for (int r = 0; r < warmup + rounds; r++) {
            double[] j = parkCancelRound(Thread.ofVirtual().factory(), fibers);
            double[] x = parkCancelRound(weft.threadFactory(), fibers);
            if (r >= warmup) {
                jt[r - warmup] = j[0];
                jb[r - warmup] = j[1];
                wt[r - warmup] = x[0];
                wb[r - warmup] = x[1];
            }
            System.out.printf(Locale.ROOT, "  round %d: default %.0f ms, %.1f B/wait; weft %.0f ms, %.1f B/wait%n", r, j[0], j[1],
                    x[0], x[1]);
        }
        System.out.printf(Locale.ROOT, "parkNanos(10 ms) ended by unpark, %,d threads x %d waits: default %.0f ms (%.1f B/wait),"
                + " weft %.0f ms (%.1f B/wait), ratio weft/default %.2f%n", fibers, PARK_TRIPS, median(jt), median(jb),
                median(wt), median(wb), median(wt) / median(jt));
    }

    /** Wall ms and bytes allocated per wait: pairs pass a token PARK_TRIPS times each way. */
    private static double[] parkCancelRound(java.util.concurrent.ThreadFactory factory, int fibers) throws Exception {
        System.gc();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int pairs = fibers / 2;
        CountDownLatch done = new CountDownLatch(pairs * 2);
        long bytes0 = mx.getTotalThreadAllocatedBytes();
        long t0 = System.nanoTime();
        for (int p = 0; p < pairs; p++) {
            Thread[] two = new Thread[2];
            java.util.concurrent.atomic.AtomicInteger token = new java.util.concurrent.atomic.AtomicInteger();
            for (int me = 0; me < 2; me++) {
                int self = me;
                two[me] = factory.newThread(() -> {
                    for (int i = 0; i < PARK_TRIPS; i++) {
                        while (token.get() != self) {
                            LockSupport.parkNanos(token, 10_000_000L);
                        }
                        token.set(1 - self);
                        LockSupport.unpark(two[1 - self]);
                    }
                    done.countDown();
                });
            }
            two[0].start();
            two[1].start();
        }
        done.await();
        double wall = (System.nanoTime() - t0) / 1e6;
        long bytes = mx.getTotalThreadAllocatedBytes() - bytes0;
        return new double[] {wall, bytes / (double) ((long) fibers * PARK_TRIPS)};
    }

    private static SleepRun sleepRound(java.util.concurrent.ThreadFactory factory, int fibers, boolean weftSleep)
            throws Exception {
        System.gc();
        ConcurrentHistogram late = new ConcurrentHistogram(3);
        CountDownLatch done = new CountDownLatch(fibers);
        long t0 = System.nanoTime();
        for (int i = 0; i < fibers; i++) {
            factory.newThread(() -> {
                try {
                    for (int k = 0; k < 10; k++) {
                        long due = System.nanoTime() + 1_000_000;
                        if (weftSleep) {
                            Weft.sleep(ONE_MS);
                        } else {
                            Thread.sleep(1);
                        }
                        late.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                done.countDown();
            }).start();
        }
        done.await();
        double wall = (System.nanoTime() - t0) / 1e6;
        return new SleepRun(wall, late.getValueAtPercentile(50), late.getValueAtPercentile(99), late.getMaxValue());
    }

    private static SleepRun median(List<SleepRun> runs) {
        return new SleepRun(med(runs, SleepRun::wallMs), med(runs, SleepRun::p50), med(runs, SleepRun::p99),
                med(runs, SleepRun::max));
    }

    private static double med(List<SleepRun> runs, java.util.function.ToDoubleFunction<SleepRun> f) {
        double[] xs = runs.stream().mapToDouble(f).sorted().toArray();
        return xs.length % 2 == 1 ? xs[xs.length / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
    }

    // ---------------------------------------------------------------- schedule + cancel

    private static final int PENDING = 1_000_000;
    private static final int PAIRS = 500_000;

    private static void cancel(WeftScheduler weft, int rounds, int warmup) throws Exception {
        ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(1);
        stpe.setRemoveOnCancelPolicy(true);
        ScheduledExecutorService ses = WeftTimers.scheduledExecutor(weft);
        TimerFiber timers = TimerFiber.of(weft);
        prefill(stpe);
        prefill(ses);
        awaitPending(timers, PENDING);
        double[] tj = new double[rounds], tw = new double[rounds];
        long settime = 0;
        for (int r = 0; r < warmup + rounds; r++) {
            double j = pairs(stpe, null);
            long s0 = timers.armCalls();
            double x = pairs(ses, timers);
            long s1 = timers.armCalls();
            if (r >= warmup) {
                tj[r - warmup] = j;
                tw[r - warmup] = x;
                settime += s1 - s0;
            }
            System.out.printf(Locale.ROOT, "  round %d: stpe %.1f ns/pair, weft %.1f ns/pair%n", r, j, x);
        }
        double mj = median(tj), mw = median(tw);
        System.out.printf(Locale.ROOT, "schedule+cancel with %,d pending: stpe %.1f ns/pair, weft %.1f ns/pair,"
                + " weft throughput %.2fx; alarm re-arm calls per 1,000 operations %.2f%n",
                PENDING, mj, mw, mj / mw, settime * 1000.0 / (2.0 * PAIRS * rounds));
        stpe.shutdownNow();
        ses.shutdownNow();
    }

    private static void prefill(ScheduledExecutorService s) {
        for (int i = 0; i < PENDING; i++) {
            s.schedule(() -> { }, 3600 + (i % 3600), TimeUnit.SECONDS);
        }
    }

    /** ns per schedule+cancel pair; for Weft until the timer fiber has applied them all. */
    private static double pairs(ScheduledExecutorService s, TimerFiber timers) throws Exception {
        System.gc();
        long t0 = System.nanoTime();
        for (int i = 0; i < PAIRS; i++) {
            ScheduledFuture<?> f = s.schedule(() -> { }, 1800 + (i % 1800), TimeUnit.SECONDS);
            f.cancel(false);
        }
        if (timers != null) {
            awaitPending(timers, PENDING);
        }
        return (System.nanoTime() - t0) / (double) PAIRS;
    }

    private static void awaitPending(TimerFiber timers, int n) throws Exception {
        for (;;) {
            FiberCall probe = new FiberCall(timers::pending);
            timers.call(probe);
            if ((Integer) probe.await() == n) {
                return;
            }
            Thread.onSpinWait();
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
