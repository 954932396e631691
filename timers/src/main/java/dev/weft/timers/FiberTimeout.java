package dev.weft.timers;

import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.TimerService;
import dev.weft.scheduler.Wait;
import dev.weft.scheduler.Wake;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one reusable timeout node of a fiber (the seed keeps it in the fiber control block):
 * every timed wait of the fiber arms it — Weft's own sleeps, and the JDK's timed parks
 * ({@code Thread.sleep}, {@code parkNanos}, timed {@code Object.wait}) — and a wait that
 * ends early disarms it, with no allocation and, in the common cases, no message to the
 * timer fiber.
 *
 * <h2>Request: (number, deadline, task), a seqlock</h2>
 * Only the fiber's side writes it (the fiber itself, or the JDK's afterYield on its
 * carrier while it parks: never both at once): {@code version} odd, the fields,
 * {@code version} even. The timer fiber reads version, fields, version again and retries
 * on a change or an odd value, so it never pairs one wait's number with another's
 * deadline (which could time a later wait out early). For a Weft sleep the number is the
 * sleep's and the fire is {@code fiber.wakeSleep(number, TIMEOUT)}: a fire that comes late
 * finds a later sleep number and does nothing. For a JDK timed park the number is the
 * arm's, and the fire runs the JDK's task (it makes the fiber runnable) only if it wins
 * {@code outcome} from PENDING to FIRED for that very arm, against the cancel's CAS to
 * CANCELLED: a cancelled or re-armed park's task never runs late (its thread would find
 * a stray permit). The node is then also the arm's {@link ScheduledFuture}.
 *
 * <h2>When the fiber tells the timer fiber (Go's lazy timers)</h2>
 * <ul>
 * <li>disarm and cancel: never. The node stays in the heap at its old key; when it
 *     surfaces the timer fiber reads the request (none) and drops it. A read with a
 *     timeout that completes costs two volatile writes.</li>
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
final class FiberTimeout extends TimerNode implements TimerService.Timeout, ScheduledFuture<Object> {
    private static final int PENDING = 0, FIRED = 1, CANCELLED = 2, OUTCOME_BITS = 2, OUTCOME = 3;

    private final Fiber fiber;
    private volatile int version;       // seqlock: odd while the fiber's side writes the fields below
    private long deadline = NONE;       // written inside the seqlock (opaque), read by the timer fiber
    private int number;                 // ditto: the sleep's number, or the JDK arm's
    private Runnable task;              // ditto: the JDK's task, null for a Weft sleep
    private int arms;                   // fiber's side only: JDK arms so far
    private volatile int outcome;       // arm << 2 | PENDING / FIRED / CANCELLED (CAS by the timer fiber and the canceller)
    private volatile Object getter;     // Wait.self() of a get() in progress, or null

    FiberTimeout(Fiber fiber, TimerFiber timers) {
        super(timers);
        this.fiber = fiber;
    }

    @Override
    public void arm(int sleepNumber, long deadlineNanos) {
        write(sleepNumber, deadlineNanos, null);
        updateIfEarlier(deadlineNanos);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable jdkTask, long deadlineNanos) {
        int arm = ++arms;
        outcome = arm << OUTCOME_BITS | PENDING;
        write(arm, deadlineNanos, jdkTask);
        updateIfEarlier(deadlineNanos);
        return this;
    }

    private void updateIfEarlier(long deadlineNanos) {
        if (deadlineNanos < heapKey) {
            requestUpdate();
        }
    }

    @Override
    public void disarm() {
        write(number, NONE, null);
    }

    @Override
    public void close() {
        write(number, NONE, null);
        requestUpdate();
    }

    private void write(int n, long d, Runnable t) {
        int v = version;
        version = v + 1;                    // odd: a reader that overlaps retries
        VarHandle.storeStoreFence();        // the field writes stay after the odd version
        NUMBER.setOpaque(this, n);
        DEADLINE.setOpaque(this, d);
        TASK.setOpaque(this, t);
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
            int n = (int) NUMBER.getOpaque(this);
            Runnable t = (Runnable) TASK.getOpaque(this);
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
            if (t == null) {
                fiber.wakeSleep(n, Wake.TIMEOUT);
            } else if (settle(n, FIRED)) {
                t.run();                    // the JDK's timeout: it only makes the fiber runnable
            }
            return;
        }
    }

    @Override
    void abandon() {
        // The timer fiber ends when its scheduler kills it, once only services are left, and
        // every service's sleep ends on that kill: no wait is left for this node to end.
    }

    /** Moves arm {@code n} from PENDING to {@code to}; true if this call did, then wakes a get(). */
    private boolean settle(int n, int to) {
        int pending = n << OUTCOME_BITS | PENDING;
        if (outcome != pending || !OUTCOME_CAS.compareAndSet(this, pending, n << OUTCOME_BITS | to)) {
            return false;
        }
        Wait.wake(getter, Wake.GRANT);
        return true;
    }

    // ---------------------------------------------------------------- the last JDK arm, as a future

    /** Cancels the last JDK arm unless it fired: its task will not run. (The node leaves the heap lazily.) */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!settle(outcome >>> OUTCOME_BITS, CANCELLED)) {
            return false;
        }
        write(number, NONE, null);
        return true;
    }

    @Override
    public boolean isCancelled() {
        return (outcome & OUTCOME) == CANCELLED;
    }

    @Override
    public boolean isDone() {
        return (outcome & OUTCOME) != PENDING;
    }

    @Override
    public Object get() throws InterruptedException {
        try {
            return get(Long.MAX_VALUE);
        } catch (TimeoutException e) {
            throw new AssertionError("an untimed get timed out", e);
        }
    }

    @Override
    public Object get(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
        return get(dev.weft.scheduler.Weft.deadlineAfterNanos(unit.toNanos(timeout)));
    }

    private Object get(long deadlineNanos) throws InterruptedException, TimeoutException {
        getter = Wait.self();
        try {
            if (Wait.awaitInterruptibly(this::isDone, Wake.GRANT, 0, deadlineNanos) == Wake.TIMEOUT) {
                throw new TimeoutException("the timed park's timeout has not fired");
            }
        } finally {
            getter = null;
        }
        if (isCancelled()) {
            throw new CancellationException("the timed park's timeout was cancelled");
        }
        return null;
    }

    @Override
    public long getDelay(TimeUnit unit) {
        return unit.convert(requested() - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
        return other == this ? 0 : Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public String toString() {
        return "the timeout of " + fiber;
    }

    private static final VarHandle DEADLINE, NUMBER, TASK, OUTCOME_CAS;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            DEADLINE = l.findVarHandle(FiberTimeout.class, "deadline", long.class);
            NUMBER = l.findVarHandle(FiberTimeout.class, "number", int.class);
            TASK = l.findVarHandle(FiberTimeout.class, "task", Runnable.class);
            OUTCOME_CAS = l.findVarHandle(FiberTimeout.class, "outcome", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
