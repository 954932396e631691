package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class IdleSetTest {
    private static final WeftScheduler OWNER = WeftScheduler.builder().workers(1).maxSpares(0).name("idleset-owner").build();

    private static Worker[] workers(int n) {
        Worker[] ws = new Worker[n];
        for (int i = 0; i < n; i++) {
            ws[i] = new Worker(OWNER, i, false);
        }
        return ws;
    }

    @Test
    void lifoOrder() {
        Worker[] ws = workers(3);
        IdleSet set = new IdleSet(ws);
        assertFalse(set.isNonEmpty());
        assertNull(set.pop());
        set.push(ws[0]);
        set.push(ws[2]);
        set.push(ws[1]);
        assertTrue(set.isNonEmpty());
        assertSame(ws[1], set.pop());
        assertSame(ws[2], set.pop());
        assertSame(ws[0], set.pop());
        assertNull(set.pop());
    }

    /** Threads repeatedly pop a worker and push it back: at the end each worker is in the stack exactly once. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentPopPushLosesAndDuplicatesNothing() throws Exception {
        Worker[] ws = workers(64);
        IdleSet set = new IdleSet(ws);
        for (Worker w : ws) {
            set.push(w);
        }
        int threads = 4;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 200_000; i++) {
                    Worker w = set.pop();
                    if (w != null) {
                        set.push(w);
                    }
                }
                done.countDown();
            });
        }
        done.await();
        ConcurrentHashMap<Worker, Boolean> seen = new ConcurrentHashMap<>();
        for (Worker w; (w = set.pop()) != null; ) {
            assertNull(seen.put(w, true), "worker popped twice: " + w.index);
        }
        assertEquals(64, seen.size());
    }
}
