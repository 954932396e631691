package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class WakeStressTest {
    private static final int WANTED = Wake.user(0);
    private static final int NOISE = Wake.user(1);

    /**
     * 100 pairs of fibers pass a turn with prepareSleep/sleep/wake, 50,000 turns per fiber:
     * 10,000,000 wake/sleep cycles in all, while a platform thread raises an unwanted reason
     * at random fibers. A lost wakeup hangs the test (bounded by the timeout); a spurious
     * one fails the turn check or the reason check.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void tenMillionWakeSleepCyclesLoseNothingAndInventNothing() throws Exception {
        int pairs = 100, turns = 50_000;
        try (WeftScheduler s = WeftScheduler.builder().workers(2).build()) {
            AtomicReferenceArray<Fiber> fibers = new AtomicReferenceArray<>(pairs * 2);
            int[] turn = new int[pairs];           // guarded by the wake/sleep hand-over itself
            AtomicLong cycles = new AtomicLong();
            AtomicLong badReasons = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            Thread[] ts = new Thread[pairs * 2];
            for (int i = 0; i < ts.length; i++) {
                int me = i, pair = i / 2, side = i % 2, peer = i ^ 1;
                ts[i] = s.ofVirtual().unstarted(() -> {
                    Fiber f = Fiber.current();
                    fibers.set(me, f);
                    Fiber other;
                    while ((other = fibers.get(peer)) == null) {
                        Thread.yield();
                    }
                    for (int k = 0; k < turns; k++) {
                        for (;;) {
                            f.prepareSleep(WANTED);
                            if (readTurn(turn, pair) == side) {
                                break;
                            }
                            int r = f.sleep();
                            if ((r & ~WANTED) != 0 || r == 0) {
                                badReasons.incrementAndGet();
                            }
                        }
                        writeTurn(turn, pair, 1 - side);
                        cycles.incrementAndGet();
                        other.wake(WANTED);
                    }
                });
            }
            Thread noise = Thread.ofPlatform().start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (!done.get()) {
                    Fiber f = fibers.get(rnd.nextInt(pairs * 2));
                    if (f != null) {
                        assertFalse(f.wake(NOISE), "an unwanted reason must not be accepted");
                    }
                }
            });
            for (Thread t : ts) {
                t.start();
            }
            for (Thread t : ts) {
                t.join();
            }
            done.set(true);
            noise.join();
            assertEquals((long) pairs * 2 * turns, cycles.get());
            assertEquals(0, badReasons.get());
        }
    }

    private static final java.lang.invoke.VarHandle TURN = java.lang.invoke.MethodHandles.arrayElementVarHandle(int[].class);

    private static int readTurn(int[] turn, int pair) {
        return (int) TURN.getVolatile(turn, pair);
    }

    private static void writeTurn(int[] turn, int pair, int v) {
        TURN.setVolatile(turn, pair, v);
    }
}
