package dev.weft.scheduler;

import java.util.ArrayList;
import java.util.List;

/**
 * The fibers of one scheduler that have started and not yet exited: a count for
 * termination and a registry for {@link WeftScheduler#shutdownNow()}.
 *
 * <p>The registry is an intrusive doubly linked list (through {@link Fiber#prevLive} and
 * {@link Fiber#nextLive}) split into stripes by thread id, each guarded by its own
 * monitor, held for a few pointer writes: adding and removing allocate nothing and two
 * fibers rarely meet on a stripe. Each stripe also counts its fibers under the same
 * monitor; the total is summed only when asked (shutdown, stats). (A LongAdder beside
 * the lists cost a spawn more than the lists themselves: the spawning thread and the
 * workers contended on its cells.)
 */
final class LiveFibers {
    private static final int STRIPES = 64; // power of two

    private final Stripe[] stripes = new Stripe[STRIPES];

    private static final class Stripe {
        Fiber head; // guarded by this
        int size;   // guarded by this
    }

    LiveFibers() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    void add(Fiber f) {
        Stripe s = stripeOf(f);
        synchronized (s) {
            s.size++;
            Fiber h = s.head;
            f.nextLive = h;
            if (h != null) {
                h.prevLive = f;
            }
            s.head = f;
        }
    }

    void remove(Fiber f) {
        Stripe s = stripeOf(f);
        synchronized (s) {
            Fiber prev = f.prevLive, next = f.nextLive;
            if (prev == null) {
                s.head = next;
            } else {
                prev.nextLive = next;
            }
            if (next != null) {
                next.prevLive = prev;
            }
            f.prevLive = f.nextLive = null;
            s.size--;
        }
    }

    /**
     * Live fibers now: exact when nothing starts or exits meanwhile. Each stripe is read
     * under its monitor, so a fiber counted in {@link #add} before a reader's pass over
     * its stripe is seen by that pass.
     */
    long count() {
        long n = 0;
        for (Stripe s : stripes) {
            synchronized (s) {
                n += s.size;
            }
        }
        return n;
    }

    /** A snapshot of the threads of the live fibers that are not services. */
    List<Thread> userThreads() {
        List<Thread> out = new ArrayList<>();
        for (Stripe s : stripes) {
            synchronized (s) {
                for (Fiber f = s.head; f != null; f = f.nextLive) {
                    if (!f.service) {
                        out.add(f.thread);
                    }
                }
            }
        }
        return out;
    }

    private Stripe stripeOf(Fiber f) {
        return stripes[(int) f.thread.threadId() & (STRIPES - 1)];
    }
}
