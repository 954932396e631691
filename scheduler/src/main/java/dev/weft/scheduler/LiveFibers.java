package dev.weft.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The fibers of one scheduler that have started and not yet exited: a count for
 * termination and a registry for {@link WeftScheduler#shutdownNow()}.
 *
 * <p>The registry is an intrusive doubly linked list (through {@link Fiber#prevLive} and
 * {@link Fiber#nextLive}) split into stripes by thread id, each guarded by its own
 * monitor, held for a few pointer writes: adding and removing allocate nothing and two
 * fibers rarely meet on a stripe. The count is a {@link LongAdder}, since the spawning
 * thread increments and many workers decrement.
 */
final class LiveFibers {
    private static final int STRIPES = 64; // power of two

    private final Stripe[] stripes = new Stripe[STRIPES];
    private final LongAdder count = new LongAdder();

    private static final class Stripe {
        Fiber head; // guarded by this
    }

    LiveFibers() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    void add(Fiber f) {
        count.increment();
        Stripe s = stripeOf(f);
        synchronized (s) {
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
        }
        count.decrement();
    }

    /** Live fibers now (exact when nothing starts or exits meanwhile). */
    long count() {
        return count.sum();
    }

    /** A snapshot of the live fibers' threads. */
    List<Thread> threads() {
        List<Thread> out = new ArrayList<>();
        for (Stripe s : stripes) {
            synchronized (s) {
                for (Fiber f = s.head; f != null; f = f.nextLive) {
                    out.add(f.thread);
                }
            }
        }
        return out;
    }

    private Stripe stripeOf(Fiber f) {
        return stripes[(int) f.thread.threadId() & (STRIPES - 1)];
    }
}
