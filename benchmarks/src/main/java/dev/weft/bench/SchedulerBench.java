package dev.weft.bench;

import dev.weft.scheduler.WeftScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The scheduler-core benchmark: spawn, ping-pong, yield storm and fan-in, each run
 * alternately on the JDK default scheduler and on Weft in one JVM (so both see the same
 * heap flags), median of N rounds after warm-up rounds, with the ratio Weft/default and
 * the bytes allocated per operation by all threads (ThreadMXBean's total allocated bytes:
 * the equivalent of JMH's -prof gc for whole-workload runs).
 *
 * <pre>
 *   benchmarks/run-bench SchedulerBench [--workers=N] [--rounds=5] [--warmup=2] [--only=spawn,pingpong,...]
 * </pre>
 * {@code --workers} sets Weft's workers and the default scheduler's parallelism
 * (jdk.virtualThreadScheduler.parallelism must be set on the command line for that: the
 * script does it).
 */
public final class SchedulerBench {
    private SchedulerBench() { }

    interface Workload {
        /** Runs once on threads from {@code f}; returns the operations done. */
        long run(ThreadFactory f) throws Exception;
    }

    record Bench(String name, String unit, Workload workload) { }

    public static void main(String[] args) throws Exception {
        int workers = Runtime.getRuntime().availableProcessors(), rounds = 5, warmup = 2;
        List<String> only = null;
        for (String a : args) {
            String key = a.split("=", 2)[0];
            switch (key) {
                case "--workers" -> workers = Harness.positive(a);
                case "--rounds" -> rounds = Harness.positive(a);
                case "--warmup" -> warmup = Integer.parseInt(a.substring(a.indexOf('=') + 1));
                case "--only" -> only = List.of(a.substring(a.indexOf('=') + 1).split(","));
                default -> throw new IllegalArgumentException("unknown argument " + a
                        + "; takes --workers=N --rounds=N --warmup=N --only=spawn,pingpong,yield,fanin");
            }
        }
        List<Bench> benches = new ArrayList<>(List.of(
                new Bench("spawn", "ns/thread", SchedulerBench::spawn),
                new Bench("pingpong", "ns/round trip", SchedulerBench::pingPong),
                new Bench("yield", "ns/yield", SchedulerBench::yieldStorm),
                new Bench("fanin", "ns/unpark", SchedulerBench::fanIn)));
        if (only != null) {
            List<String> keep = only;
            benches.removeIf(b -> !keep.contains(b.name));
        }
        Harness.printHeader("scheduler core, Weft workers " + workers + ", default parallelism "
                + System.getProperty("jdk.virtualThreadScheduler.parallelism", "(processors)"), rounds, warmup);
        Harness harness = new Harness(rounds, warmup);
        try (WeftScheduler weft = WeftScheduler.builder().name("bench").workers(workers).build()) {
            ThreadFactory jdk = Thread.ofVirtual().factory();
            ThreadFactory ours = weft.threadFactory();
            for (Bench b : benches) {
                harness.compare(b.name, b.unit, () -> b.workload.run(jdk), () -> b.workload.run(ours));
            }
            System.out.println("# " + weft.stats());
        }
    }

    /** Start and join 1,000,000 virtual threads that do nothing, 10,000 at a time. */
    static long spawn(ThreadFactory f) throws InterruptedException {
        int n = 1_000_000;
        Thread[] batch = new Thread[10_000];
        for (int done = 0; done < n; done += batch.length) {
            for (int i = 0; i < batch.length; i++) {
                (batch[i] = f.newThread(SchedulerBench::nothing)).start();
            }
            for (Thread t : batch) {
                t.join();
            }
        }
        return n;
    }

    private static void nothing() { }

    /** Two fibers hand a token back and forth with park/unpark: 1,000,000 round trips. */
    static long pingPong(ThreadFactory f) throws InterruptedException {
        int trips = 1_000_000;
        Token token = new Token();
        Thread a = f.newThread(() -> token.play(0, trips));
        Thread b = f.newThread(() -> token.play(1, trips));
        token.players[0] = a;
        token.players[1] = b;
        a.start();
        b.start();
        a.join();
        b.join();
        return trips;
    }

    static final class Token {
        final Thread[] players = new Thread[2];
        volatile int turn;

        void play(int me, int trips) {
            Thread other = players[1 - me];
            for (int i = 0; i < trips; i++) {
                while (turn != me) {
                    LockSupport.park(this);
                }
                turn = 1 - me;
                LockSupport.unpark(other);
            }
        }
    }

    /** 10,000 fibers each call Thread.yield() 100 times. */
    static long yieldStorm(ThreadFactory f) throws InterruptedException {
        Thread[] ts = new Thread[10_000];
        for (int i = 0; i < ts.length; i++) {
            (ts[i] = f.newThread(SchedulerBench::yield100)).start();
        }
        for (Thread t : ts) {
            t.join();
        }
        return ts.length * 100L;
    }

    private static void yield100() {
        for (int k = 0; k < 100; k++) {
            Thread.yield();
        }
    }

    /** 1,000 fibers each woken 10,000 times by one producer platform thread (external submissions). */
    static long fanIn(ThreadFactory f) throws InterruptedException {
        int fibers = 1_000, wakes = 10_000;
        Mailbox[] boxes = new Mailbox[fibers];
        Thread[] ts = new Thread[fibers];
        for (int i = 0; i < fibers; i++) {
            Mailbox m = boxes[i] = new Mailbox();
            (ts[i] = f.newThread(() -> m.consume(wakes))).start();
        }
        for (int k = 0; k < wakes; k++) {
            for (int i = 0; i < fibers; i++) {
                boxes[i].give(ts[i]);
            }
        }
        for (Thread t : ts) {
            t.join();
        }
        return (long) fibers * wakes;
    }

    /** A count of tokens; the consumer parks while there are none. */
    static final class Mailbox {
        final AtomicLong tokens = new AtomicLong();

        void give(Thread consumer) {
            tokens.incrementAndGet();
            LockSupport.unpark(consumer);
        }

        void consume(int total) {
            long consumed = 0;
            while (consumed < total) {
                long t = tokens.getAndSet(0);
                if (t == 0) {
                    LockSupport.park(this);
                } else {
                    consumed += t;
                }
            }
        }
    }
}
