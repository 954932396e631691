package dev.weft.timers;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.ifc.FiberCondition;
import dev.weft.ifc.FiberMutex;
import dev.weft.ifc.FiberSemaphore;
import dev.weft.io.WeftServerSocket;
import dev.weft.io.WeftSocket;
import dev.weft.scheduler.Bounded;
import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.FiberCall;
import dev.weft.scheduler.FiberKilledException;
import dev.weft.scheduler.Wake;
import dev.weft.scheduler.Weft;
import dev.weft.scheduler.WeftScheduler;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kill, interrupt and close storms over every kind of Weft wait at once: 1,000 fibers
 * waiting on sockets, a mutex, a condition, a semaphore, inter-fiber calls and sleeps,
 * while a platform thread kills, interrupts and closes at random. Every fiber must end
 * (each wait ends as its contract says), and afterwards nothing is left behind: the locks
 * free with empty queues, no fiber but the timer fiber, no node in the timer heap, and
 * after the scheduler closes, the process's file descriptors back at their baseline.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FaultStormTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final int FIBERS = 1_000, ACTIONS = 5_000;

    private static long openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** What the waiters share. */
    private static final class Shared {
        final FiberMutex mutex = new FiberMutex();
        final FiberCondition condition = mutex.newCondition();
        final FiberSemaphore semaphore = new FiberSemaphore(3);
        final ConcurrentLinkedQueue<WeftSocket> sockets = new ConcurrentLinkedQueue<>();
        volatile Fiber callTarget;
        final AtomicReference<Throwable> unexpected = new AtomicReference<>();
    }

    @Test
    void everyWaitEndsAsItsContractSaysAndNothingIsLeftBehind() throws Exception {
        try (WeftServerSocket warm = WeftServerSocket.bind(LOOPBACK, 1)) {
            warm.localAddress();                       // the process-wide pollers exist before the baseline
        }
        WeftScheduler s = WeftScheduler.builder().workers(2).name("fault-storm").build();
        long fdBaseline = openFds();                   // after the first scheduler: the JDK's own pollers exist too
        Shared sh = new Shared();
        WeftServerSocket server = WeftServerSocket.bind(LOOPBACK, 2048);
        List<WeftSocket> accepted = new ArrayList<>();
        Thread acceptor = s.ofVirtual().start(() -> {
            try {
                for (;;) {
                    WeftSocket a = server.accept();
                    synchronized (accepted) {
                        accepted.add(a);
                    }
                }
            } catch (IOException closed) {
                // the listener closed at the end
            }
        });
        CountDownLatch targetUp = new CountDownLatch(1);
        Thread target = s.ofVirtual().start(() -> {
            Fiber me = Fiber.current();
            sh.callTarget = me;
            targetUp.countDown();
            while (!me.isKilled()) {
                me.prepareSleep(Wake.IFC);                 // runs the calls inside its sleep
                me.sleep();
            }
        });
        Bounded.await(targetUp, "the call target");

        CountDownLatch ended = new CountDownLatch(FIBERS);
        Thread[] fibers = new Thread[FIBERS];
        java.util.concurrent.atomic.AtomicReferenceArray<Fiber> blocks = new java.util.concurrent.atomic.AtomicReferenceArray<>(FIBERS);
        for (int i = 0; i < FIBERS; i++) {
            int kind = i % 6, index = i;
            fibers[i] = s.ofVirtual().start(() -> {
                blocks.set(index, Fiber.current());
                try {
                    waitLoop(kind, sh, server.localAddress());
                } catch (FiberKilledException | InterruptedException | IOException | TimeoutException ended1) {
                    // the storm ended this fiber's wait, as that wait's contract says
                } catch (Throwable t) {
                    sh.unexpected.compareAndSet(null, t);
                } finally {
                    ended.countDown();
                }
            });
        }

        Random random = new Random(11);
        for (int a = 0; a < ACTIONS; a++) {
            int i = random.nextInt(FIBERS);
            switch (random.nextInt(3)) {
                case 0 -> fibers[i].interrupt();
                case 1 -> kill(blocks.get(i));
                default -> {
                    WeftSocket victim = sh.sockets.poll();
                    if (victim != null) {
                        victim.close();
                    }
                }
            }
            if ((a & 63) == 0) {
                Thread.yield();
            }
        }
        await().atMost(Bounded.HANG).until(() -> {         // the rest: a final sweep, once each has started
            for (int i = 0; i < FIBERS; i++) {
                if (blocks.get(i) == null) {
                    return false;
                }
            }
            return true;
        });
        for (int i = 0; i < FIBERS; i++) {
            kill(blocks.get(i));
        }
        sh.sockets.forEach(WeftSocket::close);
        Bounded.await(ended, "every storm fiber's end");
        assertNull(sh.unexpected.get(), () -> "a wait ended in a way its contract does not name: " + sh.unexpected.get());

        assertFalse(sh.mutex.isLocked(), "the mutex is free");
        assertEquals(0, sh.mutex.queueLength(), "no mutex waiter left");
        assertEquals(0, sh.condition.waiters(), "no condition waiter left");
        assertEquals(3, sh.semaphore.availablePermits(), "every permit came back");
        assertEquals(0, sh.semaphore.queueLength(), "no semaphore waiter left");

        sh.callTarget.kill();
        server.close();
        Bounded.join(acceptor, "the acceptor");
        Bounded.join(target, "the call target");
        synchronized (accepted) {
            accepted.forEach(WeftSocket::close);
        }
        await().atMost(Bounded.HANG).until(() -> s.stats().liveFibers() == 1);   // the timer fiber only
        assertEquals(0, Fibers.pendingTimers(s), "no timer node left in the heap");
        Bounded.close(s, "everyWaitEndsAsItsContractSaysAndNothingIsLeftBehind");
        try {
            await().atMost(Bounded.HANG).until(() -> openFds() <= fdBaseline);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail("file descriptors: " + openFds() + " open, " + fdBaseline + " before: " + fdTargets());
        }
    }

    /** What each open fd is (a socket, an eventfd, a jar...): for the failure message. */
    private static String fdTargets() {
        StringBuilder b = new StringBuilder();
        for (File f : java.util.Objects.requireNonNull(new File("/proc/self/fd").listFiles())) {
            try {
                b.append(f.getName()).append("->").append(java.nio.file.Files.readSymbolicLink(f.toPath())).append(' ');
            } catch (IOException gone) {
                // closed while listing
            }
        }
        return b.toString();
    }

    /** One fiber's endless waits of one kind; ends only when the storm ends one of them. */
    private static void waitLoop(int kind, Shared sh, InetSocketAddress at) throws Exception {
        Random r = new Random(Thread.currentThread().threadId());
        switch (kind) {
            case 0 -> {                                    // a socket read that only a close, kill or interrupt ends
                WeftSocket c = WeftSocket.connect(at);
                sh.sockets.add(c);
                try (c) {
                    c.read(ByteBuffer.allocate(16));
                }
            }
            case 1 -> {                                    // the mutex, held across a sleep
                for (;;) {
                    sh.mutex.lockInterruptibly();
                    try {
                        Weft.sleep(Duration.ofNanos(r.nextInt(200_000)));
                    } finally {
                        sh.mutex.unlock();
                    }
                }
            }
            case 2 -> {                                    // the condition, untimed and timed
                for (;;) {
                    sh.mutex.lock();
                    try {
                        if (r.nextBoolean()) {
                            sh.condition.await();
                        } else {
                            sh.condition.await(Duration.ofNanos(r.nextInt(500_000)));
                        }
                        sh.condition.signal();
                    } finally {
                        sh.mutex.unlock();
                    }
                }
            }
            case 3 -> {                                    // the semaphore
                for (;;) {
                    if (sh.semaphore.tryAcquire(Duration.ofNanos(r.nextInt(300_000)))) {
                        try {
                            Weft.sleep(Duration.ofNanos(r.nextInt(100_000)));
                        } finally {
                            sh.semaphore.release();
                        }
                    }
                }
            }
            case 4 -> {                                    // inter-fiber calls, awaited with a deadline
                FiberCall call = new FiberCall(() -> { });
                for (;;) {
                    if (!call.isQueued()) {
                        sh.callTarget.call(call);
                    }
                    try {
                        call.await(Duration.ofNanos(r.nextInt(500_000)));
                    } catch (TimeoutException | ExecutionException notYet) {
                        // still queued: await again (a failed call: the target ended)
                        if (notYet instanceof ExecutionException) {
                            return;
                        }
                    }
                }
            }
            default -> {                                   // sleeps
                for (;;) {
                    Weft.sleep(Duration.ofNanos(r.nextInt(1_000_000)));
                }
            }
        }
    }

    private static void kill(Fiber f) {
        if (f != null) {
            f.kill();
        }
    }
}
