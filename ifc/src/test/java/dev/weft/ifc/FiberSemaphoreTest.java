package dev.weft.ifc;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.WeftScheduler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FiberSemaphoreTest {
    private final WeftScheduler scheduler = WeftScheduler.builder().workers(2).name("semaphore-test").build();

    @AfterEach
    void close() {
        scheduler.close();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void neverMoreHoldersThanPermitsAndEveryPermitComesBack() throws Exception {
        int permits = 3;
        FiberSemaphore s = new FiberSemaphore(permits);
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger tooMany = new AtomicInteger();
        Thread[] ts = new Thread[500];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = scheduler.ofVirtual().start(() -> {
                for (int k = 0; k < 2_000; k++) {
                    s.acquire();
                    if (holders.incrementAndGet() > permits) {
                        tooMany.incrementAndGet();
                    }
                    if ((k & 7) == 0) {
                        Thread.yield();
                    }
                    holders.decrementAndGet();
                    s.release();
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(0, tooMany.get());
        assertEquals(permits, s.availablePermits());
        assertEquals(0, s.queueLength());
    }

    @Test
    void tryAcquireAndBadInput() {
        FiberSemaphore s = new FiberSemaphore(1);
        assertTrue(s.tryAcquire());
        assertFalse(s.tryAcquire());
        s.release();
        assertEquals(1, s.availablePermits());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FiberSemaphore(-2));
        assertTrue(e.getMessage().contains("-2"), e.getMessage());
    }

    @Test
    void acquireInterruptiblyFailsFastWhenAlreadyInterrupted() {
        FiberSemaphore s = new FiberSemaphore(0);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, s::acquireInterruptibly);
        assertFalse(Thread.currentThread().isInterrupted());
        assertEquals(0, s.queueLength());
    }
}
