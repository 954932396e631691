package dev.weft.scheduler;

import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Model checks of the wakeup word ({@link Fiber}'s prepare / sleep / wake / kill, driven
 * through {@link Wait}) and of the IFC mailbox, with Lincheck: every interleaving of a
 * sleeping fiber and its wakers. The sleeper is a Lincheck thread that owns a Fiber (its
 * sleeps park that thread; a wake unparks it), so the code under test is Fiber's and
 * Wait's own. A lost wake-up shows as a hang.
 */
class WakeModelTest {
    public static final class Model {
        private volatile Fiber fiber;                // published by the sleeper before its first wait
        private volatile boolean ready;              // the condition wakers set before they wake
        private volatile int result = -1;            // what the sleeper's wait returned
        private final List<String> ran = new ArrayList<>();   // the calls that ran, in order (target only)
        private final FiberCall[] calls = new FiberCall[4];

        public Model() {
            for (int i = 0; i < calls.length; i++) {
                String name = (i < 2 ? "a" : "b") + (i % 2);
                calls[i] = new FiberCall(() -> ran.add(name));
            }
        }

        private Fiber mine() {
            Fiber f = new Fiber(null, Thread.currentThread(), null, Priority.NORMAL, null, false);
            fiber = f;
            return f;
        }

        private final Wait.Until isReady = () -> ready;

        /** The sleeper: waits for {@code ready} (USER0), killable. */
        @Operation
        public void sleeperWaitsForReady() {
            result = Wait.await(mine(), isReady, Wake.user(0), 0, Long.MAX_VALUE, 0);
        }

        /** The sleeper: waits for {@code ready}, unkillably: a kill must not end it, the raise still must. */
        @Operation
        public void sleeperWaitsUnkillably() {
            result = Wait.await(mine(), isReady, Wake.user(0), 0, Long.MAX_VALUE, Wait.UNKILLABLE);
        }

        /** A waker: makes the condition true, then raises USER0 on the fiber if it has published itself. */
        @Operation
        public void wakerSetsReadyAndWakes() {
            ready = true;
            Fiber f = fiber;
            if (f != null) {
                f.wake(Wake.user(0));
            }
        }

        /** A waker raising a reason the sleep does not accept: it must cost nothing and end nothing. */
        @Operation
        public void wakerRaisesAnUnwantedReason() {
            Fiber f = fiber;
            if (f != null && f.wake(Wake.user(1))) {
                throw new AssertionError("an unwanted reason was accepted");
            }
        }

        /** A killer (it finds the fiber once the fiber has published itself). */
        @Operation
        public void killer() {
            published().kill();
        }

        /** The target of calls: sleeps accepting IFC until all four calls ran (they run inside its sleeps). */
        @Operation
        public void targetRunsCalls() {
            Fiber f = mine();
            while (ran.size() < calls.length) {
                Wait.await(f, () -> ran.size() == calls.length, 0, Wake.IFC, Long.MAX_VALUE, 0);
            }
        }

        /** Sender A: two calls, in order. */
        @Operation
        public void senderA() {
            send(0);
            send(1);
        }

        /** Sender B: two calls, in order. */
        @Operation
        public void senderB() {
            send(2);
            send(3);
        }

        private void send(int i) {
            published().call(calls[i]);
        }

        private Fiber published() {
            Fiber f;
            while ((f = fiber) == null) {
                Thread.yield();
            }
            return f;
        }

        @Validate
        public void check() {
            endedReady();
            if (fiber != null && calls[0].isDone() && ran.size() == calls.length) {
                if (ran.indexOf("a0") > ran.indexOf("a1") || ran.indexOf("b0") > ran.indexOf("b1")
                        || ran.stream().distinct().count() != calls.length) {
                    throw new AssertionError("calls ran out of order or not exactly once: " + ran);
                }
            }
        }

        /** After a ready-wait: it ended because the condition held, never by an unwanted reason. */
        private void endedReady() {
            if (result != -1 && result != 0 && result != Wake.KILL) {
                throw new AssertionError("the wait ended by " + result);
            }
            if (result == 0 && !ready) {
                throw new AssertionError("the wait returned without its condition");
            }
        }
    }

    public static final class Spec {
        public void sleeperWaitsForReady() { }
        public void sleeperWaitsUnkillably() { }
        public void wakerSetsReadyAndWakes() { }
        public void wakerRaisesAnUnwantedReason() { }
        public void killer() { }
        public void targetRunsCalls() { }
        public void senderA() { }
        public void senderB() { }
    }

    @Test
    void aRaiseAfterTheConditionIsNeverLostAndAnUnwantedOneEndsNothing() {
        Models.check(Model.class, Spec.class, 5_000, Models.Scenario.of(List.of(),
                new String[] {"sleeperWaitsForReady"}, new String[] {"wakerRaisesAnUnwantedReason"},
                new String[] {"wakerSetsReadyAndWakes"}));
    }

    @Test
    void aKillEndsAKillableWaitAndAnUnkillableOneStillWakesOnItsReason() {
        Models.check(Model.class, Spec.class, 5_000,
                Models.Scenario.of(List.of(), new String[] {"sleeperWaitsForReady"}, new String[] {"killer"}),
                Models.Scenario.of(List.of(), new String[] {"sleeperWaitsUnkillably"}, new String[] {"killer"},
                        new String[] {"wakerSetsReadyAndWakes"}));
    }

    @Test
    void callsSentBetweenSleepsAreNotStrandedAndRunOnceInOrder() {
        Models.check(Model.class, Spec.class, 3_000, Models.Scenario.of(List.of(),
                new String[] {"targetRunsCalls"}, new String[] {"senderA"}, new String[] {"senderB"}));
    }
}
