package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ThreadLocal, InheritableThreadLocal, ScopedValue, names, handlers and interrupt behave as on the default scheduler. */
class ThreadSemanticsTest {
    private final WeftScheduler scheduler = WeftScheduler.builder().workers(2).name("semantics-test").build();

    @AfterEach
    void close() {
        scheduler.close();
    }

    @Test
    void namesAndCountersMirrorTheJdkBuilder() throws Exception {
        Thread.Builder.OfVirtual b = scheduler.ofVirtual().name("w-", 5);
        Thread a = b.unstarted(() -> { });
        Thread c = b.unstarted(() -> { });
        assertEquals("w-5", a.getName());
        assertEquals("w-6", c.getName());
        assertTrue(a.isVirtual());
        assertEquals("solo", scheduler.ofVirtual().name("solo").unstarted(() -> { }).getName());
        ThreadFactory f = scheduler.ofVirtual().name("f-", 0).factory();
        assertEquals("f-0", f.newThread(() -> { }).getName());
        assertEquals("f-1", f.newThread(() -> { }).getName());
    }

    @Test
    void uncaughtExceptionHandlerGetsTheFibersException() throws Exception {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Thread t = scheduler.ofVirtual().uncaughtExceptionHandler((th, e) -> seen.set(e))
                .start(() -> { throw new IllegalStateException("boom"); });
        t.join();
        assertEquals("boom", seen.get().getMessage());
        // the worker survived: more fibers still run
        AtomicBoolean ran = new AtomicBoolean();
        scheduler.ofVirtual().start(() -> ran.set(true)).join();
        assertTrue(ran.get());
        assertEquals(0, scheduler.stats().workersReplaced());
    }

    @Test
    void threadLocalsAreConfinedAndInheritableOnesInheritedUnlessDisabled() throws Exception {
        ThreadLocal<String> tl = new ThreadLocal<>();
        InheritableThreadLocal<String> itl = new InheritableThreadLocal<>();
        AtomicReference<String> result = new AtomicReference<>();
        scheduler.ofVirtual().start(() -> {
            tl.set("mine");
            itl.set("inherited");
            AtomicReference<String> child = new AtomicReference<>();
            join(Thread.ofVirtual().start(() -> child.set(tl.get() + "/" + itl.get())));
            AtomicReference<String> noInherit = new AtomicReference<>();
            join(scheduler.ofVirtual().inheritInheritableThreadLocals(false).start(() -> noInherit.set(String.valueOf(itl.get()))));
            Thread.yield();
            result.set(tl.get() + "|" + child.get() + "|" + noInherit.get());
        }).join();
        assertEquals("mine|null/inherited|null", result.get());
    }

    @Test
    void scopedValuesBindAcrossParksAndYields() throws Exception {
        ScopedValue<String> key = ScopedValue.newInstance();
        AtomicReference<String> seen = new AtomicReference<>();
        scheduler.ofVirtual().start(() -> ScopedValue.where(key, "bound").run(() -> {
            Thread.yield();
            LockSupport.parkNanos(1);
            seen.set(key.get());
        })).join();
        assertEquals("bound", seen.get());
    }

    @Test
    void interruptWakesAParkedFiberAndSetsTheStatus() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        Thread t = scheduler.ofVirtual().start(() -> {
            parked.countDown();
            while (!Thread.currentThread().isInterrupted()) {
                LockSupport.park();
            }
            sawInterrupt.set(true);
        });
        parked.await();
        t.interrupt();
        t.join();
        assertTrue(sawInterrupt.get());

        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread sleeper = scheduler.ofVirtual().start(() -> {
            try {
                waiting.countDown();
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                thrown.set(e);
            }
        });
        waiting.await();
        sleeper.interrupt();
        sleeper.join();
        assertInstanceOf(InterruptedException.class, thrown.get());
    }

    @Test
    void timedParksAndSleepsComeBack() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        scheduler.ofVirtual().start(() -> {
            try {
                Thread.sleep(1);
                LockSupport.parkNanos(1_000_000);
                done.set(true);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }).join();
        assertTrue(done.get());
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
