package dev.weft.io;

import dev.weft.scheduler.Bounded;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.WeftScheduler;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.AsynchronousCloseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FdWaitTest {
    private final WeftScheduler scheduler = WeftScheduler.builder().workers(2).name("fd-test").build();
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close(org.junit.jupiter.api.TestInfo info) throws Exception {
        try {
            Bounded.close(scheduler, info.getTestMethod().map(java.lang.reflect.Method::getName).orElse("FdWaitTest"));
        } finally {
            arena.close();
        }
    }

    private CompletableFuture<Object> onFiber(WeftSocketTest.IoBody<Object> body, AtomicReference<Thread> self) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        scheduler.ofVirtual().start(() -> {
            self.set(Thread.currentThread());
            try {
                f.complete(body.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private static void awaitWaiting(AtomicReference<Thread> t) {
        await().atMost(Bounded.HANG).until(() -> t.get() != null && t.get().getState() == Thread.State.WAITING);
    }

    private int[] pipe() throws IOException {
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        Errno.check(Syscalls.pipe2(fds, Linux.O_NONBLOCK | Linux.O_CLOEXEC), "pipe2", -1);
        return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
    }

    private long write(int fd, long value, int size) {
        MemorySegment b = arena.allocate(8);
        b.set(ValueLayout.JAVA_LONG, 0, value);
        return Syscalls.write(fd, b, size);
    }

    private long readLong(int fd) {
        MemorySegment b = arena.allocate(8);
        long r = Syscalls.read(fd, b, 8);
        return r == 8 ? b.get(ValueLayout.JAVA_LONG, 0) : r;
    }

    @Test
    void pipeReadableWakesTheWaitingFiberAndEdgesAreConsumed() throws Exception {
        int[] p = pipe();
        try (FdWatch w = FdWatch.of(p[0])) {
            AtomicReference<Thread> self = new AtomicReference<>();
            CountDownLatch drained = new CountDownLatch(1);
            CompletableFuture<Object> got = onFiber(() -> {
                w.awaitReadable();
                long first = readLong(p[0]);
                assertEquals(-Errno.EAGAIN, readLong(p[0]), "drained");
                drained.countDown();
                w.awaitReadable();                                   // needs a new edge: else EAGAIN below
                return first + readLong(p[0]);
            }, self);
            awaitWaiting(self);
            assertEquals(8, write(p[1], 40, 8));
            drained.await();
            awaitWaiting(self);                                      // in the second wait
            assertEquals(8, write(p[1], 2, 8));
            assertEquals(42L, got.get());
        } finally {
            Syscalls.close(p[0]);
            Syscalls.close(p[1]);
        }
    }

    @Test
    void pipeWritableAfterTheReaderDrainsIt() throws Exception {
        int[] p = pipe();
        try (FdWatch w = FdWatch.of(p[1])) {
            w.awaitWritable();                                       // empty pipe: writable at once
            long filled = 0;
            while (write(p[1], 1, 8) == 8) {
                filled += 8;
            }
            long total = filled;
            AtomicReference<Thread> self = new AtomicReference<>();
            CompletableFuture<Object> writable = onFiber(() -> {
                w.awaitWritable();
                return true;
            }, self);
            awaitWaiting(self);
            for (long drained = 0; drained < total; drained += 8) {
                readLong(p[0]);
            }
            assertEquals(true, writable.get());
        } finally {
            Syscalls.close(p[0]);
            Syscalls.close(p[1]);
        }
    }

    @Test
    void eventfdWaitsFromAPlatformThreadAndCloseEndsTheWait() throws Exception {
        int efd = Syscalls.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        assertTrue(efd >= 0);
        try {
            FdWatch w = FdWatch.of(efd);
            CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
                try {
                    w.awaitReadable();
                    return readLong(efd);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofPlatform().start(r));
            write(efd, 5, 8);
            assertEquals(5L, waited.get());
            AtomicReference<Thread> self = new AtomicReference<>();
            CompletableFuture<Object> blocked = onFiber(() -> {
                w.awaitReadable();
                return null;
            }, self);
            awaitWaiting(self);
            w.close();
            assertInstanceOf(AsynchronousCloseException.class, assertThrows(Exception.class, blocked::get).getCause());
            assertEquals(8, write(efd, 1, 8), "the watch never closes the caller's fd");
        } finally {
            Syscalls.close(efd);
        }
    }

    @Test
    void processExitThroughAPidfd() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "read x; exit 3").start();
        AtomicReference<Thread> self = new AtomicReference<>();
        CompletableFuture<Object> exit = onFiber(() -> ProcessExit.await(p), self);
        awaitWaiting(self);
        assertFalse(exit.isDone());
        p.getOutputStream().close();                                 // read gets EOF: the shell exits
        assertEquals(3, exit.get());
        ProcessExit.await(p.pid());                                  // reaped already: returns at once
        assertThrows(IllegalArgumentException.class, () -> ProcessExit.await(0));
    }

    @Test
    void signalWakesTheWaitingFiber() throws Exception {
        AtomicReference<Thread> self = new AtomicReference<>();
        CompletableFuture<Object> got = onFiber(() -> {
            SignalWait.await("WINCH");                             // ignored by default: safe to send
            return "WINCH";
        }, self);
        awaitWaiting(self);
        Process kill = new ProcessBuilder("kill", "-WINCH", Long.toString(ProcessHandle.current().pid())).start();
        assertEquals(0, kill.waitFor());
        assertEquals("WINCH", got.get());
        assertThrows(IllegalArgumentException.class, () -> SignalWait.await("NOSUCHSIGNAL"));
    }
}
