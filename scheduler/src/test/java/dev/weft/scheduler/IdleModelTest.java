package dev.weft.scheduler;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Model checks of the idle/search protocol ({@link Idle}) with Lincheck: every interleaving
 * of the named transitions, run the way a worker and a submitter run them, over a queue
 * that is a counter. Checked: no queued item is left with every worker waiting unclaimed
 * (a stranded submission), no search token is lost, and no worker sleeps through its
 * claim (a hang: a parked worker nobody unparks, or a poll nobody breaks).
 */
class IdleModelTest {
    /**
     * The model: one worker (index 0) and the protocol; each interleaving gets a new one.
     * Every worker operation ends the way a worker's run out of work ends: waiting (it
     * would park now) or claimed. So once all operations ran, a queued item with the worker
     * waiting unclaimed is stranded for good.
     */
    public static final class Model implements Idle.Host {
        private final Idle idle = new Idle(1, this);
        private final AtomicInteger queued = new AtomicInteger();
        private volatile Thread worker;                   // set before the worker registers
        private volatile boolean pollBroken;

        @Override
        public boolean workPending() {
            return queued.get() > 0;
        }

        @Override
        public void unpark(int w) {
            LockSupport.unpark(worker);
        }

        @Override
        public void wakePoller() {
            pollBroken = true;
            LockSupport.unpark(worker);
        }

        /** A worker's look at the queues: takes one item if there is one. */
        private boolean look() {
            for (int n; (n = queued.get()) > 0; ) {
                if (queued.compareAndSet(n, n - 1)) {
                    return true;
                }
            }
            return false;
        }

        /** Set-up: the worker registered idle, then found an item itself: a stale entry stays in the stack. */
        @Operation
        public void workerTakesWorkAfterRegistering() {
            worker = Thread.currentThread();
            queued.incrementAndGet();
            idle.toIdle(0);
            look();
            idle.leave(0);
        }

        /**
         * The worker runs out of work, as Worker.awaitWork: registers, looks; while it finds
         * an item it leaves idle, runs it and runs out again (at most three times here).
         */
        @Operation
        public void workerRunsOut() {
            worker = Thread.currentThread();
            for (int cycle = 0; cycle < 3; cycle++) {
                idle.toIdle(0);
                if (!look()) {
                    return;                               // waiting
                }
                if (!idle.leave(0)) {
                    queued.incrementAndGet();             // claimed meanwhile: its handoff comes first, requeue what it found
                    return;
                }
            }
        }

        /** Someone queues an item (a local push, a lane offer) and signals. */
        @Operation
        public void queueAndSignal() {
            queued.incrementAndGet();
            idle.workQueued();
        }

        /** A submitter from outside: hand-off to a waiting worker, else queue and signal. */
        @Operation
        public void submitFromOutside() {
            queued.incrementAndGet();                     // the model's item (a handed fiber is found by its worker)
            if (!idle.handOff(Idle.WAKE)) {
                idle.workQueued();
            }
        }

        /**
         * The worker runs out of work and waits the way Worker.awaitWork does: in the poll
         * if it gets it, else parked; the claim must reach it, and it then takes its handoff
         * and gives the search token back.
         */
        @Operation
        public void workerWaitsInPollOrPark() {
            worker = Thread.currentThread();
            idle.toIdle(0);
            if (look()) {
                if (idle.leave(0)) {
                    return;
                }
                queued.incrementAndGet();
            }
            if (idle.tryPoll(0)) {
                while (!pollBroken) {
                    LockSupport.park();                   // the poll: ends only when broken (no fd events here)
                }
                idle.pollDone();
            }
            while (idle.takeHandoff(0) == null) {
                LockSupport.park();
            }
            idle.searchDone(look());
        }

        /** Once all ran: no item queued with the worker waiting unclaimed; one search token per claimed worker. */
        @Validate
        public void invariant() {
            boolean claimed = idle.isClaimed(0);
            if (queued.get() > 0 && idle.waiting() == 1 && !claimed) {
                throw new AssertionError("stranded: " + queued.get() + " queued, the worker waits unclaimed, "
                        + idle.searching() + " search tokens out");
            }
            if (idle.searching() != (claimed ? 1 : 0)) {
                throw new AssertionError("search tokens out: " + idle.searching() + ", worker claimed: " + claimed);
            }
        }
    }

    /** The sequential specification: the checks are the invariant and the absence of hangs. */
    public static final class Spec {
        public void workerTakesWorkAfterRegistering() { }
        public void workerRunsOut() { }
        public void queueAndSignal() { }
        public void submitFromOutside() { }
        public void workerWaitsInPollOrPark() { }
    }

    /**
     * A token holder whose claim met only stale entries must look again after giving the
     * token back: meanwhile another submitter saw the token and woke nobody.
     */
    @Test
    void aTokenHeldByASubmitterStrandsNothing() {
        Models.check(Model.class, Spec.class, 20_000, Models.Scenario.of(List.of("workerTakesWorkAfterRegistering"),
                new String[] {"queueAndSignal"}, new String[] {"workerRunsOut"}, new String[] {"queueAndSignal"}));
    }

    /** A worker going idle and submitters from outside: every queued item has a worker coming for it. */
    @Test
    void submittersAndAWorkerGoingIdle() {
        Models.check(Model.class, Spec.class, 20_000, Models.Scenario.of(List.of(),
                new String[] {"submitFromOutside"}, new String[] {"workerRunsOut"}, new String[] {"submitFromOutside"}));
    }

    /** A claim of the polling worker breaks its poll; a claim of a parked one unparks it: no hang. */
    @Test
    void aClaimReachesAWorkerInThePollOrParked() {
        Models.check(Model.class, Spec.class, 20_000, Models.Scenario.of(List.of(),
                new String[] {"workerWaitsInPollOrPark"}, new String[] {"submitFromOutside"}));
    }
}
