package dev.weft.ifc;

import dev.weft.scheduler.Models;
import java.util.List;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Model check of one {@link Waiter} against the semaphore's moves on it, with Lincheck:
 * woken to compete, then (under the queue monitor, as grantFreePermits and handOff do)
 * its wake cleared and a grant given. The waiter's condition goes true (woken), false
 * (cleared), true (granted); whatever it sees, its wait must end with an outcome its
 * caller handles (GRANTED or WOKEN), never an impossible one, and never hang.
 */
class WaiterModelTest {
    public static final class Model {
        private volatile Waiter waiter;
        private volatile int outcome = -1;

        /** The waiting thread: its Waiter, then one wait. */
        @Operation
        public void waits() {
            Waiter w = Waiter.mine();
            waiter = w;
            outcome = w.await(false, true, Long.MAX_VALUE);
        }

        /** The semaphore: wakes the head to compete, then a later acquirer's grantFreePermits takes it over. */
        @Operation
        public void wakesThenGrants() {
            Waiter w;
            while ((w = waiter) == null) {
                Thread.yield();
            }
            w.wakeToCompete();
            synchronized (this) {                         // stands for the queue monitor: clearWake, then grant
                w.woken = false;
                w.grant();
            }
        }

        @Validate
        public void check() {
            if (outcome != Waiter.GRANTED && outcome != Waiter.WOKEN) {
                throw new AssertionError("the wait ended with outcome " + outcome);
            }
        }
    }

    public static final class Spec {
        public void waits() { }
        public void wakesThenGrants() { }
    }

    @Test
    void aWakeClearedAndReplacedByAGrantEndsTheWaitWithAnOutcome() {
        Models.check(Model.class, Spec.class, 10_000,
                Models.Scenario.of(List.of(), new String[] {"waits"}, new String[] {"wakesThenGrants"}));
    }
}
