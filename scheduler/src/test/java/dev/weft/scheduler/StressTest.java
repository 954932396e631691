package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class StressTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aMillionVirtualThreadsStartAndJoin() throws Exception {
        try (WeftScheduler s = WeftScheduler.builder().workers(2).build()) {
            AtomicLong ran = new AtomicLong();
            Thread[] batch = new Thread[10_000];
            for (int round = 0; round < 100; round++) {
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = s.ofVirtual().start(ran::incrementAndGet);
                }
                for (Thread t : batch) {
                    t.join();
                }
            }
            assertEquals(1_000_000, ran.get());
        }
    }

    /** 500 pairs hand a token back and forth with park/unpark: 10,000,000 hand-offs, none lost. */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void parkUnparkPingPongStorm() throws Exception {
        int pairs = 500, roundTrips = 10_000;
        try (WeftScheduler s = WeftScheduler.builder().workers(2).build()) {
            AtomicLong handoffs = new AtomicLong();
            Thread[] all = new Thread[pairs * 2];
            for (int p = 0; p < pairs; p++) {
                PingPong pp = new PingPong();
                all[2 * p] = s.ofVirtual().unstarted(() -> pp.play(0, roundTrips, handoffs));
                all[2 * p + 1] = s.ofVirtual().unstarted(() -> pp.play(1, roundTrips, handoffs));
                pp.players[0] = all[2 * p];
                pp.players[1] = all[2 * p + 1];
            }
            for (Thread t : all) {
                t.start();
            }
            for (Thread t : all) {
                t.join();
            }
            assertEquals((long) pairs * roundTrips * 2, handoffs.get());
            assertEquals(0, s.stats().taskFailures());
        }
    }

    /** Two players; {@code turn} says whose move it is. */
    static final class PingPong {
        final Thread[] players = new Thread[2];
        volatile int turn;

        void play(int me, int roundTrips, AtomicLong handoffs) {
            for (int i = 0; i < roundTrips; i++) {
                while (turn != me) {
                    LockSupport.park(this);
                }
                turn = 1 - me;
                handoffs.incrementAndGet();
                LockSupport.unpark(players[1 - me]);
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void externalUnparksFromManyPlatformThreadsAreNeverLost() throws Exception {
        int fibers = 200, wakes = 5_000;
        try (WeftScheduler s = WeftScheduler.builder().workers(2).build()) {
            Counter[] counters = new Counter[fibers];
            Thread[] ts = new Thread[fibers];
            for (int i = 0; i < fibers; i++) {
                Counter c = counters[i] = new Counter(wakes);
                ts[i] = s.ofVirtual().start(c::consume);
            }
            Thread[] producers = new Thread[4];
            for (int p = 0; p < producers.length; p++) {
                int from = p;
                producers[p] = Thread.ofPlatform().start(() -> {
                    for (int k = 0; k < wakes; k++) {
                        for (int i = from; i < fibers; i += producers.length) {
                            counters[i].give(ts[i]);
                        }
                    }
                });
            }
            for (Thread p : producers) {
                p.join();
            }
            for (Thread t : ts) {
                t.join();
            }
            for (Counter c : counters) {
                assertEquals(0, c.tokens.get());
            }
        }
    }

    /** A fiber consuming {@code total} tokens, parking whenever none is available. */
    static final class Counter {
        final AtomicLong tokens = new AtomicLong();
        final int total;

        Counter(int total) {
            this.total = total;
        }

        void give(Thread consumer) {
            tokens.incrementAndGet();
            LockSupport.unpark(consumer);
        }

        void consume() {
            int consumed = 0;
            while (consumed < total) {
                long t = tokens.get();
                if (t == 0) {
                    LockSupport.park(this);
                } else if (tokens.compareAndSet(t, t - 1)) {
                    consumed++;
                }
            }
        }
    }
}
