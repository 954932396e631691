package dev.weft.samples;

import dev.weft.scheduler.WeftScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * The main demo until the echo-server demo replaces it: three virtual-thread workloads,
 * run alternately on the JDK default scheduler and on Weft in this one JVM (same heap
 * flags), median of several rounds after a warm-up, printed side by side.
 */
public final class SchedulerDemo {
    private SchedulerDemo() { }

    interface Workload {
        /** Runs once; returns the number of operations done. */
        long run(ThreadFactory threads) throws Exception;
    }

    record Row(String name, String unit, Workload workload) { }

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        for (String a : args) {
            if (a.startsWith("--rounds=")) {
                rounds = Integer.parseInt(a.substring("--rounds=".length()));
                if (rounds < 1) {
                    throw new IllegalArgumentException("--rounds must be >= 1, got " + rounds);
                }
            } else {
                System.out.println("usage: ./demo [--rounds=N]   (default 5)");
                return;
            }
        }
        List<Row> rows = List.of(
                new Row("spawn+join 200k threads", "ns/thread", SchedulerDemo::spawn),
                new Row("park/unpark ping-pong", "ns/round trip", SchedulerDemo::pingPong),
                new Row("yield storm 10k x 100", "ns/yield", SchedulerDemo::yieldStorm));
        ThreadFactory jdk = Thread.ofVirtual().factory();
        System.out.printf("Weft demo: %d processors, %s, median of %d rounds after one warm-up%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), rounds);
        System.out.printf("%-26s %16s %16s %8s%n", "workload", "JDK default", "Weft", "ratio");
        try (WeftScheduler weft = WeftScheduler.builder().name("demo").build()) {
            ThreadFactory weftThreads = weft.threadFactory();
            for (Row row : rows) {
                row.workload.run(jdk);
                row.workload.run(weftThreads);
                double[] a = new double[rounds], b = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    a[r] = timePerOp(row.workload, jdk);
                    b[r] = timePerOp(row.workload, weftThreads);
                }
                double ma = median(a), mb = median(b);
                System.out.printf("%-26s %10.0f %-5s %10.0f %-5s %7.2fx%n", row.name, ma, "ns", mb, "ns", mb / ma);
            }
        }
        System.out.println("ratio = Weft / JDK default time per operation (lower is better)");
    }

    private static double timePerOp(Workload w, ThreadFactory f) throws Exception {
        long t0 = System.nanoTime();
        long ops = w.run(f);
        return (System.nanoTime() - t0) / (double) ops;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    static long spawn(ThreadFactory f) throws InterruptedException {
        int n = 200_000;
        Thread[] batch = new Thread[1000];
        for (int done = 0; done < n; done += batch.length) {
            for (int i = 0; i < batch.length; i++) {
                batch[i] = f.newThread(() -> { });
                batch[i].start();
            }
            for (Thread t : batch) {
                t.join();
            }
        }
        return n;
    }

    static long pingPong(ThreadFactory f) throws InterruptedException {
        int trips = 200_000;
        Thread[] players = new Thread[2];
        int[] turn = new int[1];
        Object lock = new Object();
        for (int me = 0; me < 2; me++) {
            int self = me;
            players[me] = f.newThread(() -> {
                for (int i = 0; i < trips; i++) {
                    while (readTurn(turn, lock) != self) {
                        LockSupport.park();
                    }
                    writeTurn(turn, lock, 1 - self);
                    LockSupport.unpark(players[1 - self]);
                }
            });
        }
        players[0].start();
        players[1].start();
        players[0].join();
        players[1].join();
        return trips;
    }

    private static int readTurn(int[] turn, Object lock) {
        synchronized (lock) {
            return turn[0];
        }
    }

    private static void writeTurn(int[] turn, Object lock, int v) {
        synchronized (lock) {
            turn[0] = v;
        }
    }

    static long yieldStorm(ThreadFactory f) throws InterruptedException {
        List<Thread> ts = new ArrayList<>(10_000);
        for (int i = 0; i < 10_000; i++) {
            Thread t = f.newThread(() -> {
                for (int k = 0; k < 100; k++) {
                    Thread.yield();
                }
            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
        return 10_000L * 100;
    }
}
