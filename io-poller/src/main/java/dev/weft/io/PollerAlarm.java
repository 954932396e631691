package dev.weft.io;

import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.Wait;
import dev.weft.scheduler.Wake;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An {@link Alarm} folded into the poller thread's epoll_wait timeout (the alternative to
 * a timerfd): no fd, no timerfd_settime, no read of an expiry count; the
 * poller thread computes its timeout from the earliest registered alarm and, when it
 * passes, raises {@link Wake#SIGNAL} on the owner. Moving the expiry later costs nothing
 * (the poller wakes at the old time, finds it not due and sleeps again); moving it
 * earlier than the poller's planned wake-up costs one nudge (an eventfd write, and an
 * unpark when the poller thread is in its NetPoll backstop). Granularity: epoll_wait's
 * timeout is in milliseconds, rounded up, so an alarm fires up to 1 ms late.
 *
 * <p>Actors: the owner (a fiber: sets, awaits, closes) and the poller thread (reads
 * {@code expiry}, fires by CAS from the expiry it saw to {@link Long#MAX_VALUE}, so a
 * concurrent re-arm is never cleared). The owner publishes {@code expiry} then reads the
 * poller's planned wake-up; the poller publishes its plan then reads the expiries again
 * before it sleeps: one of them sees the other (see {@link Poller#run}).
 */
public final class PollerAlarm implements Alarm {
    private final Poller poller;
    private volatile long expiry = Long.MAX_VALUE;   // the owner writes; the poller CASes a due one to MAX_VALUE
    private volatile boolean fired;                  // set by the poller before its wake; cleared by the owner
    private volatile Fiber owner;                    // set on the first await
    private long nudges;                             // owner writes (opaque), anyone reads

    private PollerAlarm(Poller poller) {
        this.poller = poller;
    }

    /** A new, cleared alarm on Weft's first poller. */
    public static PollerAlarm open() {
        PollerAlarm a = new PollerAlarm(Pollers.all()[0]);
        a.poller.addAlarm(a);
        return a;
    }

    @Override
    public void setExpiry(long deadlineNanos) {
        if (deadlineNanos == expiry) {
            return;
        }
        expiry = deadlineNanos;
        if (deadlineNanos < poller.plannedWake()) {
            poller.nudgeForAlarm();
            NUDGES.setOpaque(this, nudges + 1);
        }
    }

    /** Fibers only: the alarm raises a wake reason. */
    @Override
    public int await(int alsoAccept) throws IOException {
        Fiber f = Fiber.current();
        if (f == null) {
            throw new IllegalStateException("a PollerAlarm is awaited by a Weft fiber, not " + Thread.currentThread());
        }
        owner = f;
        int other = Wait.awaitIo(firing, Wake.SIGNAL, alsoAccept, Long.MAX_VALUE);
        if (other == 0) {
            fired = false;
        }
        return other;
    }

    /** The condition of await: the poller thread fired the alarm. */
    private final Wait.Until firing = new Wait.Until() {
        @Override
        public boolean done() {
            return fired;
        }

        @Override
        public String toString() {
            return "a poller alarm";
        }
    };

    /** Poller thread: the expiry, or {@link Long#MAX_VALUE} when clear. */
    long expiry() {
        return expiry;
    }

    /** Poller thread: fires if due at {@code now}. */
    void fireIfDue(long now) {
        long e = expiry;
        if (e <= now && EXPIRY.compareAndSet(this, e, Long.MAX_VALUE)) {
            fired = true;                                // before the wake: await reads it after its prepareSleep
            Fiber f = owner;
            if (f != null) {
                f.wake(Wake.SIGNAL);
            }
        }
    }

    @Override
    public long armCalls() {
        return (long) NUDGES.getOpaque(this);
    }

    @Override
    public void close() {
        poller.removeAlarm(this);
    }

    private static final VarHandle EXPIRY, NUDGES;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            EXPIRY = l.findVarHandle(PollerAlarm.class, "expiry", long.class);
            NUDGES = l.findVarHandle(PollerAlarm.class, "nudges", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
