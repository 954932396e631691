package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FiberTest {
    private final WeftScheduler scheduler = WeftScheduler.builder().workers(2).name("fiber-test").build();

    @AfterEach
    void close() {
        scheduler.close();
    }

    private <T> T onFiber(Priority p, java.util.concurrent.Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        scheduler.ofVirtual(p).start(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }).join();
        return result.get();
    }

    @Test
    void currentIsTheRunningThreadsOwnBlock() throws Exception {
        Fiber f = onFiber(Priority.HIGH, Fiber::current);
        assertNotNull(f);
        assertSame(scheduler, f.scheduler());
        assertEquals(Priority.HIGH, f.priority());
        assertFalse(f.isBound());
        assertTrue(onFiber(Priority.NORMAL, () -> Fiber.current().thread() == Thread.currentThread()));
    }

    @Test
    void currentIsNullOffWeft() throws Exception {
        assertNull(Fiber.current());
        AtomicReference<Fiber> onDefault = new AtomicReference<>(Fiber.current());
        Thread.ofVirtual().start(() -> onDefault.set(Fiber.current())).join();
        assertNull(onDefault.get());
        assertFalse(Weft.isFiber());
    }

    @Test
    void childrenAndGrandchildrenOfPlainOfVirtualRunOnWeftWithTheirOwnBlocks() throws Exception {
        List<Fiber> chain = onFiber(Priority.LOW, () -> {
            List<Fiber> seen = new ArrayList<>();
            seen.add(Fiber.current());
            Thread child = Thread.ofVirtual().start(() -> {
                seen.add(Fiber.current());
                Thread grandchild = Thread.ofVirtual().start(() -> seen.add(Fiber.current()));
                join(grandchild);
            });
            child.join();
            return seen;
        });
        assertEquals(3, chain.size());
        for (Fiber f : chain) {
            assertNotNull(f);
            assertSame(scheduler, f.scheduler());
            assertEquals(Priority.LOW, f.priority(), "children inherit the parent's priority");
        }
        assertNotSame(chain.get(0), chain.get(1));
        assertNotSame(chain.get(1), chain.get(2));
        assertNotSame(chain.get(0).thread(), chain.get(1).thread());
    }

    @Test
    void unchangedExecutorCodeInsideAFiberRunsOnWeft() throws Exception {
        List<Boolean> onWeft = onFiber(Priority.NORMAL, () -> {
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                var futures = new ArrayList<java.util.concurrent.Future<Boolean>>();
                for (int i = 0; i < 100; i++) {
                    futures.add(ex.submit(Weft::isFiber));
                }
                List<Boolean> out = new ArrayList<>();
                for (var f : futures) {
                    out.add(f.get());
                }
                return out;
            }
        });
        assertEquals(100, onWeft.size());
        assertTrue(onWeft.stream().allMatch(b -> b));
    }

    @Test
    void setPriorityAppliesToLaterSubmissionsAndChildren() throws Exception {
        Priority childPriority = onFiber(Priority.NORMAL, () -> {
            Fiber.current().setPriority(Priority.HIGH);
            Thread.yield();
            assertEquals(Priority.HIGH, Fiber.current().priority());
            AtomicReference<Priority> p = new AtomicReference<>();
            Thread.ofVirtual().start(() -> p.set(Fiber.current().priority())).join();
            return p.get();
        });
        assertEquals(Priority.HIGH, childPriority);
        Throwable npe = assertThrows(java.util.concurrent.ExecutionException.class, () -> onFiber(Priority.NORMAL, () -> {
            Fiber.current().setPriority(null);
            return null;
        })).getCause();
        assertInstanceOf(NullPointerException.class, npe);
        assertEquals("priority", npe.getMessage());
    }

    @Test
    void executeRejectsWhatIsNotAContinuationAndNeverRunsInline() throws Exception {
        Fiber f = onFiber(Priority.NORMAL, Fiber::current);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.execute(() -> fail("ran inline")));
        assertTrue(e.getMessage().contains("continuation"), e.getMessage());
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
