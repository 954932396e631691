package dev.weft.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jctools.queues.MpmcUnboundedXaddArrayQueue;

/**
 * The shared scheduling queue of the seed: one unbounded multi-producer,
 * multi-consumer FIFO per priority, fed by external submissions (threads that are not
 * this scheduler's workers) and by workers' local-queue overflow, served by every
 * worker. JCTools' xadd queue allocates a chunk per 1,024 items and keeps spare chunks
 * pooled, so steady-state offer and poll allocate nothing.
 *
 * <p>The {@code starving} mask is the starvation rule's switch: the watchdog sets bit
 * {@code p} when priority {@code p} has queued work but no worker took any of it for
 * the starvation bound; the next worker to look serves one item of that priority before
 * anything else and clears the bit. Workers read the mask once per item (a plain load
 * on x86: it is written a few times a second at most).
 */
final class Lanes {
    private static final int CHUNK = 1024;
    private static final int POOLED_CHUNKS = 4;

    private final MpmcUnboundedXaddArrayQueue<Fiber>[] lanes; // index = Priority.ordinal
    private volatile int starving;                            // bit p: priority p starves (watchdog sets, workers clear)

    @SuppressWarnings({"unchecked", "rawtypes"})   // generic array of queues
    Lanes() {
        lanes = new MpmcUnboundedXaddArrayQueue[Priority.COUNT];
        for (int p = 0; p < Priority.COUNT; p++) {
            lanes[p] = new MpmcUnboundedXaddArrayQueue<>(CHUNK, POOLED_CHUNKS);
        }
    }

    /** Queues at the tail of the lane of priority {@code p}. Full fence (xadd). */
    void offer(Fiber f, int p) {
        lanes[p].offer(f);
    }

    Fiber poll(int p) {
        return lanes[p].poll();
    }

    boolean isEmpty(int p) {
        return lanes[p].isEmpty();
    }

    int size(int p) {
        return lanes[p].size();
    }

    int starving() {
        return starving;
    }

    /** Watchdog: marks priority {@code p} as starving. */
    void markStarving(int p) {
        int s;
        do {
            s = starving;
        } while ((s & (1 << p)) == 0 && !STARVING.compareAndSet(this, s, s | (1 << p)));
    }

    /** Worker: priority {@code p} was just served under the starvation rule. */
    void clearStarving(int p) {
        int s;
        do {
            s = starving;
        } while ((s & (1 << p)) != 0 && !STARVING.compareAndSet(this, s, s & ~(1 << p)));
    }

    private static final VarHandle STARVING = Handles.field(MethodHandles.lookup(), "starving", int.class);
}
