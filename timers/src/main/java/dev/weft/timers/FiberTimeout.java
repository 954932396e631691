package dev.weft.timers;

import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.TimerService;
import dev.weft.scheduler.Wake;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The one reusable timeout node of a fiber (the seed keeps it in the fiber control block):
 * every timed sleep of the fiber arms it, and a sleep that ends early disarms it, with no
 * allocation and, in the common cases, no message to the timer fiber.
 *
 * <h2>Request: (sleep number, deadline), a seqlock</h2>
 * Only the fiber writes it: {@code version} odd, the two fields, {@code version} even.
 * The timer fiber reads version, fields, version again and retries on a change or an odd
 * value, so it never pairs one sleep's number with another's deadline (which could time
 * a later sleep out early). The fire is {@code fiber.wakeSleep(sleep, TIMEOUT)}: a fire
 * that comes late finds a later sleep number and does nothing.
 *
 * <h2>When the fiber tells the timer fiber (Go's lazy timers)</h2>
 * <ul>
 * <li>disarm: never. The node stays in the heap at its old key; when it surfaces the
 *     timer fiber reads the request (none) and drops it. A read with a timeout that
 *     completes costs two volatile writes.</li>
 * <li>arm at a deadline not earlier than the node's key in the heap: never. When the node
 *     surfaces at the old key the timer fiber reads the later deadline and re-inserts it
 *     (a server loop re-arming the same read timeout never messages).</li>
 * <li>arm earlier than that key, or when the node is not in the heap: post the update.</li>
 * <li>fiber exit: post, so the heap lets go of the fiber now.</li>
 * </ul>
 * The arm's decision and the timer fiber's pop are a Dekker pair: the fiber writes the
 * request, then reads {@link #heapKey}; the timer fiber clears {@code heapKey} (pop), then
 * reads the request. Either the timer fiber sees the new deadline and re-inserts, or the
 * fiber sees the node out of the heap and posts (both may happen; the second is a no-op).
 */
final class FiberTimeout extends TimerNode implements TimerService.Timeout {
    private final Fiber fiber;
    private volatile int version;       // seqlock: odd while the fiber writes the two fields below
    private long deadline = NONE;       // written by the fiber inside the seqlock (opaque), read by the timer fiber
    private int sleep;                  // ditto

    FiberTimeout(Fiber fiber, TimerFiber timers) {
        super(timers);
        this.fiber = fiber;
    }

    @Override
    public void arm(int sleepNumber, long deadlineNanos) {
        write(sleepNumber, deadlineNanos);
        if (deadlineNanos < heapKey) {
            requestUpdate();
        }
    }

    @Override
    public void disarm() {
        write(sleep, NONE);
    }

    @Override
    public void close() {
        write(sleep, NONE);
        requestUpdate();
    }

    private void write(int s, long d) {
        int v = version;
        version = v + 1;                    // odd: a reader that overlaps retries
        VarHandle.storeStoreFence();        // the field writes stay after the odd version
        SLEEP.setOpaque(this, s);
        DEADLINE.setOpaque(this, d);
        version = v + 2;                    // volatile: publishes the fields
    }

    @Override
    long requested() {
        for (;;) {
            int v = version;
            long d = (long) DEADLINE.getOpaque(this);
            VarHandle.loadLoadFence();      // the fields are read before the version is checked again
            if ((v & 1) == 0 && version == v) {
                return d;
            }
            Thread.onSpinWait();
        }
    }

    @Override
    void expire(long now) {
        for (;;) {
            int v = version;
            long d = (long) DEADLINE.getOpaque(this);
            int s = (int) SLEEP.getOpaque(this);
            VarHandle.loadLoadFence();
            if ((v & 1) != 0 || version != v) {
                Thread.onSpinWait();
                continue;
            }
            if (d == NONE) {
                return;                     // disarmed (lazily): just leave the heap
            }
            if (d > now) {
                timers.heap.set(this, d);   // re-armed later meanwhile: back in at the new deadline
                return;
            }
            fiber.wakeSleep(s, Wake.TIMEOUT);
            return;
        }
    }

    @Override
    void abandon() {
        // The timer fiber ends when its scheduler kills it, once only services are left, and
        // every service's sleep ends on that kill: no sleep is left for this node to end.
    }

    private static final VarHandle DEADLINE, SLEEP;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            DEADLINE = l.findVarHandle(FiberTimeout.class, "deadline", long.class);
            SLEEP = l.findVarHandle(FiberTimeout.class, "sleep", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
