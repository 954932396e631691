package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WakeTest {
    private final WeftScheduler scheduler = WeftScheduler.builder().workers(2).name("wake-test").build();

    @AfterEach
    void close() {
        scheduler.close();
    }

    /** Runs {@code body} on a fiber, handing its Fiber to the test once it is ready. */
    private Thread fiber(CompletableFuture<Fiber> self, java.util.function.ToIntFunction<Fiber> body, AtomicInteger result) {
        return scheduler.ofVirtual().start(() -> {
            Fiber f = Fiber.current();
            self.complete(f);
            result.set(body.applyAsInt(f));
        });
    }

    @Test
    void aReasonRaisedBetweenPrepareAndSleepIsNotLost() throws Exception {
        AtomicInteger got = new AtomicInteger();
        Thread t = scheduler.ofVirtual().start(() -> {
            Fiber f = Fiber.current();
            f.prepareSleep(Wake.IO_READ);
            assertTrue(f.wake(Wake.IO_READ));      // raised before sleep()
            got.set(f.sleep());
        });
        t.join();
        assertEquals(Wake.IO_READ, got.get());
    }

    @Test
    void unwantedReasonsDoNothingAndWantedOnesWake() throws Exception {
        CompletableFuture<Fiber> self = new CompletableFuture<>();
        CountDownLatch prepared = new CountDownLatch(1);
        AtomicInteger got = new AtomicInteger();
        Thread t = fiber(self, f -> {
            f.prepareSleep(Wake.IO_READ | Wake.user(3));
            prepared.countDown();
            return f.sleep();
        }, got);
        prepared.await();
        Fiber f = self.get();
        assertFalse(f.wake(Wake.IO_WRITE));
        assertFalse(f.wake(Wake.TIMEOUT | Wake.user(2)));
        assertTrue(f.wake(Wake.user(3) | Wake.IO_WRITE));
        t.join();
        assertEquals(Wake.user(3), got.get(), "only accepted reasons are reported");
        assertFalse(f.wake(Wake.user(3)), "a finished sleep is never woken");
    }

    @Test
    void reasonsRaisedBeforePrepareAreForgotten() throws Exception {
        AtomicInteger got = new AtomicInteger();
        scheduler.ofVirtual().start(() -> {
            Fiber f = Fiber.current();
            f.prepareSleep(Wake.SIGNAL);
            f.wake(Wake.SIGNAL);
            assertEquals(Wake.SIGNAL, f.sleep());
            f.prepareSleep(Wake.SIGNAL | Wake.IFC);       // new sleep: the old SIGNAL is gone
            f.wake(Wake.IFC);
            got.set(f.sleep());
        }).join();
        assertEquals(Wake.IFC, got.get());
    }

    @Test
    void killEndsTheCurrentAndEveryLaterSleep() throws Exception {
        CompletableFuture<Fiber> self = new CompletableFuture<>();
        CountDownLatch prepared = new CountDownLatch(1);
        AtomicReference<int[]> got = new AtomicReference<>();
        Thread t = scheduler.ofVirtual().start(() -> {
            Fiber f = Fiber.current();
            self.complete(f);
            f.prepareSleep(Wake.IO_READ);
            prepared.countDown();
            int first = f.sleep();
            f.prepareSleep(Wake.TIMEOUT);
            int second = f.sleep();                        // killed already: returns at once
            got.set(new int[] {first, second});
        });
        prepared.await();
        Fiber f = self.get();
        f.kill();
        t.join();
        assertTrue(f.isKilled());
        assertEquals(Wake.KILL, got.get()[0]);
        assertEquals(Wake.KILL, got.get()[1]);
        assertFalse(t.isInterrupted());
    }

    @Test
    void interruptEndsASleepAndKeepsTheStatus() throws Exception {
        CountDownLatch prepared = new CountDownLatch(1);
        AtomicInteger got = new AtomicInteger();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread t = scheduler.ofVirtual().start(() -> {
            Fiber f = Fiber.current();
            f.prepareSleep(Wake.IO_WRITE);
            prepared.countDown();
            got.set(f.sleep());
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        prepared.await();
        t.interrupt();
        t.join();
        assertEquals(Wake.INTERRUPT, got.get());
        assertTrue(stillInterrupted.get());
    }

    @Test
    void misuseFailsClearly() throws Exception {
        AtomicReference<Throwable> noPrepare = new AtomicReference<>();
        AtomicReference<Fiber> fiber = new AtomicReference<>();
        scheduler.ofVirtual().start(() -> {
            fiber.set(Fiber.current());
            try {
                Fiber.current().sleep();
            } catch (Throwable e) {
                noPrepare.set(e);
            }
        }).join();
        assertInstanceOf(IllegalStateException.class, noPrepare.get());
        Fiber f = fiber.get();
        assertThrows(WrongThreadException.class, () -> f.prepareSleep(Wake.IO_READ));
        assertThrows(WrongThreadException.class, f::sleep);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> f.wake(Wake.INTERRUPT));
        assertTrue(bad.getMessage().contains("0x40"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> f.wake(0));
        assertThrows(IllegalArgumentException.class, () -> Wake.user(16));
        assertFalse(f.wake(Wake.IO_READ), "a fiber that is not sleeping is not woken");
    }
}
