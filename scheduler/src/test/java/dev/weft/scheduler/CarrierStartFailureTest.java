package dev.weft.scheduler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A carrier thread the platform refuses to start ("unable to create native thread") leaves
 * the scheduler consistent: a build that cannot start its carriers fails and leaves no
 * thread behind; a spare or a replacement that cannot start is counted out, the watchdog
 * lives on, and the scheduler still runs its fibers and closes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CarrierStartFailureTest {
    /** Starts threads normally until told to refuse: then throws what the JVM throws. */
    private static final class Refusing implements Consumer<Thread> {
        final AtomicBoolean refuse = new AtomicBoolean();
        final AtomicInteger refused = new AtomicInteger();

        @Override
        public void accept(Thread t) {
            if (refuse.get()) {
                refused.incrementAndGet();
                throw new OutOfMemoryError("unable to create native thread: refused by the test for " + t.getName());
            }
            t.start();
        }
    }

    private static boolean anyThreadNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith(prefix) && t.isAlive());
    }

    @Test
    void aBuildWhoseCarrierCannotStartFailsAndLeavesNoThread() {
        Consumer<Thread> secondRefused = t -> {
            if (t.getName().endsWith("-worker-1")) {
                throw new OutOfMemoryError("unable to create native thread: refused by the test");
            }
            t.start();
        };
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> WeftScheduler.builder().workers(2)
                .name("refused-build").startCarriersWith(secondRefused).build());
        assertTrue(e.getMessage().contains("refused by the test"), e.getMessage());
        await().atMost(Bounded.HANG).until(() -> !anyThreadNamed("refused-build-"));   // worker-0 and the watchdog ended
        assertDoesNotThrow(() -> WeftScheduler.builder().workers(1).name("refused-build").build().close(),
                "the name (and its MXBean) is free again");
    }

    @Test
    void aSpareThatCannotStartLeavesTheWatchdogAliveAndTheSchedulerClosable() throws Exception {
        Refusing start = new Refusing();
        WeftScheduler s = WeftScheduler.builder().workers(1).maxSpares(1).pinnedThreshold(Duration.ofMillis(5))
                .name("refused-spare").startCarriersWith(start).build();
        start.refuse.set(true);
        Gate gate = new Gate();
        gate.occupy(s);                                           // the one carrier spins: pinned
        CountDownLatch ran = new CountDownLatch(1);
        s.ofVirtual().start(ran::countDown);                       // queued behind it: the watchdog wants a spare
        await().atMost(Bounded.HANG).until(() -> start.refused.get() >= 2);   // refused, and tried again: the watchdog lives
        assertTrue(anyThreadNamed("refused-spare-watchdog"));
        await().atMost(Bounded.HANG).until(() -> s.stats().carriers() == 1);   // a refused carrier is not counted (each try counts it for a moment)
        start.refuse.set(false);
        Bounded.await(ran, "the queued fiber, once a spare could start");
        gate.open();
        Bounded.close(s, "aSpareThatCannotStartLeavesTheWatchdogAliveAndTheSchedulerClosable");
        await().atMost(Bounded.HANG).until(() -> s.stats().carriers() == 0);
    }

    @Test
    void aDeadCarrierWhoseReplacementCannotStartIsRetriedByTheWatchdog() throws Exception {
        Refusing start = new Refusing();
        WeftScheduler s = WeftScheduler.builder().workers(1).maxSpares(0).name("refused-replacement")
                .startCarriersWith(start).build();
        start.refuse.set(true);
        Fiber poison = new Fiber(s, Thread.currentThread(), () -> { throw new InternalError("injected"); },
                Priority.NORMAL, null, false);
        s.submit(poison);                                          // its slice kills the carrier
        await().atMost(Bounded.HANG).until(() -> start.refused.get() >= 2 && s.stats().carriers() == 0);
        CountDownLatch ran = new CountDownLatch(1);
        s.ofVirtual().start(ran::countDown);
        start.refuse.set(false);                                   // threads can be had again: the watchdog's retry starts one
        Bounded.await(ran, "a fiber started while the scheduler had no carrier");
        assertEquals(1, s.stats().carriers());
        Bounded.close(s, "aDeadCarrierWhoseReplacementCannotStartIsRetriedByTheWatchdog");
    }

    /** An idle poller whose first poll, once woken, throws: the carrier dies inside its idle wait. */
    private static final class DyingPoller implements IdlePoller {
        private final java.util.concurrent.atomic.AtomicBoolean died = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile boolean woken;
        private volatile Thread polling;

        @Override
        public void poll() {
            polling = Thread.currentThread();
            while (!woken) {
                java.util.concurrent.locks.LockSupport.park(this);
            }
            woken = false;
            if (died.compareAndSet(false, true)) {
                throw new InternalError("the poller broke (test)");
            }
        }

        @Override
        public void wakeup() {
            woken = true;
            java.util.concurrent.locks.LockSupport.unpark(polling);
        }

        @Override
        public void attach(String scheduler) { }

        @Override
        public void detach(String scheduler) { }
    }

    @Test
    void aCarrierThatDiesWhileClaimedPassesItsHandoffOn() throws Exception {
        DyingPoller poller = new DyingPoller();
        WeftScheduler s = WeftScheduler.builder().workers(1).maxSpares(0).name("dies-claimed").idlePoller(poller).build();
        await().atMost(Bounded.HANG).until(() -> poller.polling != null);
        CountDownLatch ran = new CountDownLatch(1);
        s.ofVirtual().start(ran::countDown);                      // handed to the polling worker: its poll breaks, and throws
        Bounded.await(ran, "the fiber handed to a carrier that died before taking it");
        await().atMost(Bounded.HANG).until(() -> s.stats().workersReplaced() == 1);
        CountDownLatch again = new CountDownLatch(1);
        s.ofVirtual().start(again::countDown);
        Bounded.await(again, "a later start: the search token came back");
        Bounded.close(s, "aCarrierThatDiesWhileClaimedPassesItsHandoffOn");
    }
}
