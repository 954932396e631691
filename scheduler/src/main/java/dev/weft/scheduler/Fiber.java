package dev.weft.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The control block of one Weft virtual thread (a fiber): its scheduler, its
 * priority, and its place in the scheduler's bookkeeping. Later layers (wakeup
 * reasons, inter-fiber calls, timers) hang their per-fiber state here.
 *
 * <p>A Fiber is also the {@link java.util.concurrent.Executor} the JDK submits the
 * thread's continuation to, so a submission finds its fiber, and so its priority, with
 * one field read and no map. {@link #current()} is a field read of the running
 * thread's scheduler, checked against the thread: a virtual thread that is not Weft's
 * gets {@code null}.
 *
 * <h2>Lifecycle</h2>
 * Created when the thread starts (never before: builders and factories are shared),
 * counted live until a worker sees the thread terminated after running it. The
 * {@code exited} flag makes that transition happen once even though two workers may
 * both observe the terminated thread (one ran it to the end; the other ran an earlier
 * slice and looked late).
 */
public final class Fiber extends Route {
    final Thread thread;              // immutable
    final Runnable continuation;      // immutable: the JDK passes this same object on every submission
    private volatile Priority priority; // written by setPriority, read by every submission
    private volatile int exited;      // 0 -> 1 once, by CAS (EXITED)

    // Live-fiber registry links, guarded by the registry stripe's monitor (LiveFibers).
    Fiber prevLive;
    Fiber nextLive;

    Fiber(WeftScheduler scheduler, Thread thread, Runnable continuation, Priority priority, BoundLane bound) {
        super(scheduler, bound);
        this.thread = thread;
        this.continuation = continuation;
        this.priority = priority;
    }

    /**
     * The control block of the calling thread, or {@code null} when the caller is not a
     * Weft virtual thread (a platform thread, or a virtual thread of another scheduler).
     */
    public static Fiber current() {
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            return null;
        }
        return CarrierHook.schedulerOf(t) instanceof Fiber f && f.thread == t ? f : null;
    }

    /** The virtual thread this block controls. */
    public Thread thread() {
        return thread;
    }

    /** The scheduler that runs this fiber. */
    public WeftScheduler scheduler() {
        return scheduler;
    }

    /** The priority this fiber is queued at from its next submission on. */
    public Priority priority() {
        return priority;
    }

    /**
     * Changes the priority. Takes effect at the fiber's next submission (its next
     * wake-up or yield); a submission already queued keeps its lane. Children this
     * fiber starts afterwards with plain {@code Thread.ofVirtual()} inherit it.
     */
    public void setPriority(Priority priority) {
        this.priority = Objects.requireNonNull(priority, "priority");
    }

    /** True when this fiber runs only on the thread serving its {@link BoundLane}. */
    public boolean isBound() {
        return bound != null;
    }

    @Override
    Priority routePriority() {
        return priority;
    }

    /**
     * The JDK's hook: submits this fiber's continuation, or adopts a child whose
     * continuation came here because the child inherited this fiber as its scheduler.
     * Never blocks and never runs the task inline. Applications have no reason to call it.
     *
     * @throws IllegalArgumentException if {@code task} is not a virtual thread's continuation
     * @throws java.util.concurrent.RejectedExecutionException if a child starts after shutdown
     */
    @Override
    public void execute(Runnable task) {
        if (task == continuation) {
            scheduler.submit(this);
        } else {
            scheduler.start(task, priority, bound);
        }
    }

    /** True exactly once: for the first caller after the thread has terminated. */
    boolean markExited() {
        return exited == 0 && EXITED.compareAndSet(this, 0, 1);
    }

    @Override
    public String toString() {
        return "Fiber[" + thread + ", " + priority + (bound == null ? "" : ", bound to " + bound.name()) + "]";
    }

    private static final VarHandle EXITED = Handles.field(MethodHandles.lookup(), "exited", int.class);
}
