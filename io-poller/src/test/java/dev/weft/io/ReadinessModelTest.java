package dev.weft.io;

import dev.weft.scheduler.Models;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.channels.AsynchronousCloseException;
import java.util.List;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Model checks of a {@link NativeFd}'s readiness word and waiter slot, with Lincheck: a
 * reader that finds the fd drained and waits, against the poller's edge and against a
 * close. The fd is a bare NativeFd (no poller, no system call): the reader plays the
 * system call's answers, the poller thread plays epoll. Checked: an edge that arrives
 * after the reader's call is never lost (a hang), however it interleaves with the
 * drained-CAS and the reader's wait; a close ends the wait.
 */
class ReadinessModelTest {
    private static NativeFd bare(int assumed) {
        try {
            Constructor<NativeFd> c = NativeFd.class.getDeclaredConstructor(int.class, Poller.class, boolean.class, int.class);
            c.setAccessible(true);
            return c.newInstance(-1, null, false, assumed);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    public static final class Model {
        private final NativeFd fd = bare(NativeFd.READ | NativeFd.WRITE);
        private volatile boolean dataArrived;           // the kernel's side: bytes are in the socket
        private volatile int reads;                     // reads that returned data
        private volatile boolean closedSeen;

        public Model() {
            try {
                fd.begin();                              // the reader's operation is in progress throughout:
            } catch (IOException e) {                    // a close then leaves the release to it (never, here)
                throw new AssertionError(e);
            }
        }

        /**
         * The reader, as NativeFd.io: while the READ bit is set it tries the call; the
         * call returns EAGAIN until the data arrived (then the drained-CAS clears the bit as
         * of the tick seen before the call); then it waits for READ.
         */
        @Operation
        public void readerReadsOnce() throws IOException {
            try {
                for (;;) {
                    long seen = fd.observe();
                    if ((seen & NativeFd.READ) != 0) {
                        if (dataArrived) {
                            reads++;
                            return;
                        }
                        fd.drained(seen, NativeFd.READ);   // EAGAIN
                    }
                    fd.await(NativeFd.READ);
                }
            } catch (AsynchronousCloseException closed) {
                closedSeen = true;
            }
        }

        /** The kernel and the poller: data lands, then epoll reports the edge. */
        @Operation
        public void dataArrivesAndThePollerReportsIt() {
            dataArrived = true;
            fd.onEvent(Linux.EPOLLIN);
        }

        /** Another thread closes the fd. */
        @Operation
        public void closer() {
            fd.close();
        }

        @Validate
        public void check() {
            if (reads > 1) {
                throw new AssertionError("one message, " + reads + " reads");
            }
        }
    }

    public static final class Spec {
        public void readerReadsOnce() { }
        public void dataArrivesAndThePollerReportsIt() { }
        public void closer() { }
    }

    @Test
    void anEdgeAfterTheReadersCallIsNeverLost() {
        Models.check(Model.class, Spec.class, 10_000, Models.Scenario.of(List.of(),
                new String[] {"readerReadsOnce"}, new String[] {"dataArrivesAndThePollerReportsIt"}));
    }

    @Test
    void aCloseEndsTheWait() {
        Models.check(Model.class, Spec.class, 10_000, Models.Scenario.of(List.of(),
                new String[] {"readerReadsOnce"}, new String[] {"closer"}));
    }
}
