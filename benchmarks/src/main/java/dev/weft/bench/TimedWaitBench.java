package dev.weft.bench;

import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.Wake;
import dev.weft.scheduler.Weft;
import dev.weft.scheduler.WeftScheduler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits with a timeout that the real wake-up beats (the common case: a read with a
 * timeout, a lock with a timeout): two threads pass a token back and forth, every wait
 * bounded by 1 s. JDK default scheduler: LockSupport.parkNanos + unpark (each timed park
 * schedules a timer task on the JDK's DelayScheduler). Weft: Fiber.prepareSleep(reason,
 * deadline) + wake (the fiber's reusable timeout node; disarms are lazy). Reports time and
 * bytes allocated per round trip. parkNanos-pingpong runs the JDK side's unchanged code on
 * Weft fibers too, where the JDK's timed park is served by Weft's timers (JdkTimedParks).
 * <pre>benchmarks/run-bench TimedWaitBench [--rounds=5] [--warmup=2]</pre>
 */
public final class TimedWaitBench {
    private TimedWaitBench() { }

    private static final int TRIPS = 200_000;
    private static final long TIMEOUT = Duration.ofSeconds(1).toNanos();

    public static void main(String[] args) throws Exception {
        Harness harness = Harness.fromArgs(args);
        harness.printHeader("timed wait beaten by its wake-up");
        try (WeftScheduler weft = WeftScheduler.builder().name("timed-wait").build()) {
            harness.compare("timed-pingpong", "ns/round trip", () -> jdk(Thread.ofVirtual()), () -> weft(weft));
            harness.compare("parkNanos-pingpong", "ns/round trip", () -> jdk(Thread.ofVirtual()), () -> jdk(weft.ofVirtual()));
        }
        System.exit(0);
    }

    /** The JDK code (parkNanos + unpark) on threads of {@code builder}: the default scheduler's, or Weft's. */
    private static long jdk(Thread.Builder.OfVirtual builder) throws InterruptedException {
        Thread[] players = new Thread[2];
        CountDownLatch done = new CountDownLatch(2);
        Token t = new Token();
        for (int me = 0; me < 2; me++) {
            int self = me;
            players[me] = builder.unstarted(() -> {
                Thread other = players[1 - self];
                for (int i = 0; i < TRIPS; i++) {
                    while (t.turn != self) {
                        LockSupport.parkNanos(t, TIMEOUT);
                    }
                    t.turn = 1 - self;
                    LockSupport.unpark(other);
                }
                done.countDown();
            });
        }
        players[0].start();
        players[1].start();
        done.await();
        return TRIPS;
    }

    private static long weft(WeftScheduler weft) throws InterruptedException {
        Fiber[] players = new Fiber[2];
        CountDownLatch ready = new CountDownLatch(2), done = new CountDownLatch(2);
        Token t = new Token();
        for (int me = 0; me < 2; me++) {
            int self = me;
            weft.ofVirtual().start(() -> {
                players[self] = Fiber.current();
                ready.countDown();
                try {
                    ready.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                Fiber mine = players[self], other = players[1 - self];
                for (int i = 0; i < TRIPS; i++) {
                    while (t.turn != self) {
                        mine.prepareSleep(Wake.user(0), Weft.deadlineAfterNanos(TIMEOUT));
                        if (t.turn != self) {
                            mine.sleep();
                        }
                    }
                    t.turn = 1 - self;
                    other.wake(Wake.user(0));
                }
                done.countDown();
            });
        }
        done.await();
        return TRIPS;
    }

    private static final class Token {
        volatile int turn;
    }
}
