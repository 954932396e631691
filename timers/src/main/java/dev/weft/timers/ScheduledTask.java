package dev.weft.timers;

import dev.weft.scheduler.Weft;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A task of a {@link FiberScheduledExecutor}: a FutureTask with a deadline, a period and
 * the heap node that carries it.
 *
 * <p>States are FutureTask's; {@code time} is the next deadline, written by whoever
 * schedules it (the submitter, then the fiber that ran the last period) before the node's
 * update is posted, read by the timer fiber. Cancel from any thread removes it from the
 * heap at once (the memory goes back, the timer fiber forgets it); a cancel that races the
 * fire is settled by FutureTask: a cancelled task's run does nothing.
 */
final class ScheduledTask<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
    private final FiberScheduledExecutor executor;
    private final long period;              // 0 one-shot, > 0 fixed rate, < 0 fixed delay (nanoseconds)
    private volatile long time;             // the next deadline (System.nanoTime), NONE once done
    final Node node;

    ScheduledTask(FiberScheduledExecutor executor, Callable<V> callable, long time, long period) {
        super(callable);
        this.executor = executor;
        this.time = clamp(time);
        this.period = period;
        this.node = new Node(executor.timers);
    }

    ScheduledTask(FiberScheduledExecutor executor, Runnable runnable, long time, long period) {
        super(runnable, null);
        this.executor = executor;
        this.time = clamp(time);
        this.period = period;
        this.node = new Node(executor.timers);
    }

    /** The heap node: due -> run this task on a new fiber. */
    final class Node extends TimerNode {
        Node(TimerFiber timers) {
            super(timers);
        }

        ScheduledTask<V> task() {
            return ScheduledTask.this;
        }

        FiberScheduledExecutor executor() {
            return executor;
        }

        @Override
        long requested() {
            return isDone() ? NONE : time;
        }

        @Override
        void expire(long now) {
            long t = requested();
            if (t == NONE) {
                return;
            }
            if (t > now) {
                timers.heap.set(this, t);
                return;
            }
            executor.fire(ScheduledTask.this);
        }

        @Override
        void abandon() {
            cancel(false);                   // the scheduler is gone: the task can never run
        }
    }

    /**
     * "Never" (an overflowing delay) becomes the latest deadline the heap holds, so the
     * task still sits in the heap where shutdownNow finds it; it fires in 292 years.
     */
    private static long clamp(long deadline) {
        return Math.min(deadline, TimerNode.NONE - 1);
    }

    @Override
    public boolean isPeriodic() {
        return period != 0;
    }

    @Override
    public long getDelay(TimeUnit unit) {
        return unit.convert(time - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
        if (other == this) {
            return 0;
        }
        return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    /** Runs on a fiber; a periodic task that completes normally is scheduled again. */
    @Override
    public void run() {
        if (!isPeriodic()) {
            super.run();
        } else if (runAndReset()) {
            if (executor.keepsPeriodic()) {
                time = clamp(period > 0 ? Weft.deadlineAfterNanos(time - System.nanoTime() + period)
                                        : Weft.deadlineAfterNanos(-period));
                node.requestUpdate();
            } else {
                super.cancel(false);
            }
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            node.requestUpdate();             // out of the heap now: requested() is NONE
        }
        return cancelled;
    }

    /** FutureTask calls it once, when the task completes, fails or is cancelled. */
    @Override
    protected void done() {
        executor.taskDone(this);
    }
}
