package dev.weft.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * An inter-fiber call (the seed's IFC): a callback that a sender queues to a target fiber
 * with {@link Fiber#call(FiberCall)} and that the target runs on itself, at its next
 * {@link Fiber#processCalls()} point or inside a sleep whose mask includes
 * {@link Wake#IFC}. The handle is reusable: once it is no longer {@linkplain #isQueued()
 * queued or running}, it can be sent again (to any fiber), so a steady stream of calls
 * allocates nothing.
 *
 * <h2>States</h2>
 * <pre>
 *   IDLE --send (CAS)--> QUEUED --target takes it--> RUNNING --> DONE | FAILED
 *   DONE | FAILED --send again (CAS)--> QUEUED
 *   QUEUED --target exited--> FAILED (FiberExitedException)
 *   RUNNING --post (CAS)--> RERUN --callback returned--> QUEUED again, on the target's own mailbox
 * </pre>
 * {@link Fiber#post} is the coalescing send, for a call that says "look at my state": a
 * post while the call is queued does nothing (the callback has not read the state yet);
 * a post while it runs makes it run once more (the callback may have read it already).
 * Only the sender moves IDLE/DONE/FAILED to QUEUED (so a call is never queued twice, and
 * never run twice); only the target (or its exit) moves it on. The result and the failure
 * are written before the state (release), read after it (acquire).
 *
 * <p>One thread at a time may {@link #await()} a call; a fiber's await ends on kill.
 */
public final class FiberCall {
    static final int IDLE = 0, QUEUED = 1, RUNNING = 2, DONE = 3, FAILED = 4, RERUN = 5;

    private final Callable<?> callback;
    private volatile int state;                 // CAS by the sender to QUEUED; set by the target after
    private Object result;                      // written before state DONE, read after it
    private Throwable failure;                  // written before state FAILED, read after it
    private volatile Object awaiter;            // the one waiter in await() (Wait.self()), or null
    private final Wait.Until completion = new Completion();   // what await() waits for
    FiberCall next;                             // mailbox link: written by the sender before its push CAS

    /** A call that runs {@code callback} on the target and completes with its result. */
    public FiberCall(Callable<?> callback) {
        this.callback = Objects.requireNonNull(callback, "callback");
    }

    /** A call that runs {@code callback} on the target and completes with null. */
    public FiberCall(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        this.callback = () -> {
            callback.run();
            return null;
        };
    }

    /** True while the call is queued or running: it may not be sent again yet. */
    public boolean isQueued() {
        int s = state;
        return s == QUEUED || s == RUNNING || s == RERUN;
    }

    /** True once the call ran (or failed) since it was last sent. */
    public boolean isDone() {
        int s = state;
        return s == DONE || s == FAILED;
    }

    /**
     * Waits until the call has run and returns its result.
     *
     * @throws ExecutionException with what the callback threw, or a {@link FiberExitedException}
     *         if the target exited first
     * @throws InterruptedException if the waiting thread is interrupted
     * @throws FiberKilledException if the waiting fiber is killed
     * @throws IllegalStateException if the call was never sent, or another thread awaits it
     */
    public Object await() throws ExecutionException, InterruptedException {
        try {
            return await(Long.MAX_VALUE);
        } catch (TimeoutException e) {
            throw new AssertionError("untimed await timed out", e);
        }
    }

    /**
     * Like {@link #await()}, but gives up after {@code timeout}.
     *
     * @throws TimeoutException if the call has not completed in time (it stays queued)
     */
    public Object await(Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        return await(timeout.isNegative() ? 0 : saturatedNanos(timeout));
    }

    private Object await(long nanos) throws ExecutionException, InterruptedException, TimeoutException {
        if (state == IDLE) {
            throw new IllegalStateException("await() on a call that was never sent");
        }
        Object me = Wait.self();
        if (!AWAITER.compareAndSet(this, null, me)) {
            throw new IllegalStateException(me + " cannot await " + this + ": " + awaiter + " already does");
        }
        long deadline = Weft.deadlineAfterNanos(nanos);
        try {
            // The target publishes the state, then wakes the awaiter it reads; the awaiter
            // published itself and tests the state after preparing its wait (Wait's steps).
            if (Wait.awaitInterruptibly(completion, Wake.GRANT, 0, deadline) == Wake.TIMEOUT) {
                throw new TimeoutException(this + " did not complete in time");
            }
        } finally {
            awaiter = null;
        }
        if (state == FAILED) {
            throw new ExecutionException(failure);
        }
        return result;
    }

    // ---------------------------------------------------------------- sender and target side

    /** Sender: claims the call for a new send; fails if it is still queued or running. */
    void claim() {
        for (;;) {
            int s = state;
            if (s == QUEUED || s == RUNNING || s == RERUN) {
                throw new IllegalStateException(this + " is still queued or running; wait until isQueued() is false");
            }
            if (STATE.compareAndSet(this, s, QUEUED)) {
                result = null;
                failure = null;
                return;
            }
        }
    }

    /**
     * Sender of {@link Fiber#post}: true if the call must be pushed (it was idle or done,
     * now QUEUED); false if it is queued already or will run again (RUNNING -> RERUN).
     */
    boolean claimOrCoalesce() {
        for (;;) {
            int s = state;
            if (s == QUEUED || s == RERUN) {
                return false;
            }
            int next = s == RUNNING ? RERUN : QUEUED;
            if (STATE.compareAndSet(this, s, next)) {
                return next == QUEUED;
            }
        }
    }

    /**
     * Target: runs the callback; a throw fails the call, never the target. Returns true if
     * it was posted again while running: it is QUEUED again and the caller pushes it back.
     */
    boolean run() {
        state = RUNNING;
        int outcome;
        try {
            result = callback.call();
            outcome = DONE;
        } catch (Throwable t) {
            failure = t;
            outcome = FAILED;
        }
        if (!STATE.compareAndSet(this, RUNNING, outcome)) {
            state = QUEUED;                      // RERUN: a post came while it ran
            return true;
        }
        wakeAwaiter();
        return false;
    }

    /** Target's exit: the call will not run. */
    void fail(Throwable cause) {
        failure = cause;
        complete(FAILED);
    }

    private void complete(int outcome) {
        state = outcome;                         // publishes result / failure
        wakeAwaiter();
    }

    private void wakeAwaiter() {
        Wait.wake(awaiter, Wake.GRANT);
    }

    /** The condition of await(): the call ran or failed. Named for the wait's messages. */
    private final class Completion implements Wait.Until {
        @Override
        public boolean done() {
            return isDone();
        }

        @Override
        public String toString() {
            return "the completion of " + FiberCall.this;
        }
    }

    @Override
    public String toString() {
        return "FiberCall[" + switch (state) {
            case IDLE -> "idle";
            case QUEUED -> "queued";
            case RUNNING -> "running";
            case DONE -> "done";
            case RERUN -> "running, posted again";
            default -> "failed";
        } + "]";
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE - 1;
        }
    }

    private static final VarHandle STATE = Handles.field(MethodHandles.lookup(), "state", int.class);
    private static final VarHandle AWAITER = Handles.field(MethodHandles.lookup(), "awaiter", Object.class);
}
