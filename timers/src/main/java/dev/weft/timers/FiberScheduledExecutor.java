package dev.weft.timers;

import dev.weft.scheduler.FiberCall;
import dev.weft.scheduler.Weft;
import dev.weft.scheduler.WeftScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A {@link ScheduledExecutorService} on a scheduler's {@link TimerFiber}: deadlines live
 * in the timer fiber's heap, and each task runs on a new fiber of the scheduler when due.
 *
 * <p>Lifecycle, as ScheduledThreadPoolExecutor's defaults: {@link #shutdown()} rejects
 * new tasks, cancels periodic ones and lets delayed one-shot tasks run when due;
 * {@link #shutdownNow()} cancels everything not yet started and interrupts what runs.
 * Terminated once shut down with no task left. Shutting the scheduler itself down ends
 * its timer fiber once its last other fiber has exited; tasks still pending then can never
 * run and are cancelled, and later ones are rejected, so shut this executor down first
 * when its delayed tasks must run.
 */
final class FiberScheduledExecutor extends AbstractExecutorService implements ScheduledExecutorService {
    final TimerFiber timers;
    private final WeftScheduler scheduler;
    private final AtomicLong active = new AtomicLong();                          // tasks not yet done
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();           // fibers running a task now
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean shutdown;

    FiberScheduledExecutor(WeftScheduler scheduler) {
        this.scheduler = scheduler;
        this.timers = TimerFiber.of(scheduler);
    }

    // ---------------------------------------------------------------- scheduling

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        return enqueue(new ScheduledTask<>(this, command, deadline(delay, unit), 0));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Objects.requireNonNull(callable, "callable");
        return enqueue(new ScheduledTask<>(this, callable, deadline(delay, unit), 0));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        long p = positive("period", period, unit);
        return enqueue(new ScheduledTask<>(this, command, deadline(initialDelay, unit), p));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        long d = positive("delay", delay, unit);
        return enqueue(new ScheduledTask<>(this, command, deadline(initialDelay, unit), -d));
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    private static long deadline(long delay, TimeUnit unit) {
        return Weft.deadlineAfterNanos(Objects.requireNonNull(unit, "unit").toNanos(delay));
    }

    private static long positive(String what, long value, TimeUnit unit) {
        long nanos = Objects.requireNonNull(unit, "unit").toNanos(value);
        if (nanos <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, got " + value + " " + unit);
        }
        return nanos;
    }

    private <T> ScheduledTask<T> enqueue(ScheduledTask<T> task) {
        if (shutdown || timers.hasEnded()) {
            throw rejected();
        }
        active.incrementAndGet();
        task.node.requestUpdate();
        // After the post: a shutdown whose sweep of the heap ran first, or a timer fiber
        // that ended first (see TimerFiber.end), would never serve this task.
        if (shutdown || timers.hasEnded()) {
            task.cancel(false);
            throw rejected();
        }
        return task;
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException(shutdown ? "executor on " + scheduler.name() + " is shut down"
                : "scheduler " + scheduler.name() + " has terminated: its timer fiber is gone");
    }

    /** Timer fiber: {@code task} is due; run it on a new fiber. */
    void fire(ScheduledTask<?> task) {
        try {
            scheduler.ofVirtual().start(() -> runTask(task));
        } catch (RejectedExecutionException schedulerDown) {
            task.cancel(false);
        }
    }

    private void runTask(ScheduledTask<?> task) {
        Thread me = Thread.currentThread();
        running.add(me);
        try {
            task.run();
        } finally {
            running.remove(me);
            tryTerminate();
        }
    }

    /** Whether a periodic task that just ran is scheduled again. */
    boolean keepsPeriodic() {
        return !shutdown;
    }

    void taskDone(ScheduledTask<?> task) {
        active.decrementAndGet();
        tryTerminate();
    }

    /**
     * This executor's tasks in the timer fiber's heap that {@code which} selects, gathered
     * on the timer fiber (the heap is its alone). A task whose schedule was posted before
     * the call is in the heap by then: the mailbox keeps send order. No task list is kept
     * on the schedule path (a concurrent set of a million tasks was most of its cost).
     */
    private List<ScheduledTask<?>> inHeap(Predicate<ScheduledTask<?>> which) {
        List<ScheduledTask<?>> found = new ArrayList<>();
        FiberCall sweep = new FiberCall(() -> timers.heap.forEach(n -> {
            if (n instanceof ScheduledTask<?>.Node t && t.executor() == this && which.test(t.task())) {
                found.add(t.task());
            }
        }));
        try {
            timers.call(sweep);
            sweep.await();
        } catch (ExecutionException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // the timer fiber is gone (its scheduler terminated): nothing is pending any more
        }
        return found;
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void shutdown() {
        shutdown = true;
        inHeap(ScheduledTask::isPeriodic).forEach(t -> t.cancel(false));
        tryTerminate();
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> never = new ArrayList<>();
        for (ScheduledTask<?> t : inHeap(t -> true)) {
            if (t.cancel(false)) {
                never.add(t);
            }
        }
        running.forEach(Thread::interrupt);
        tryTerminate();
        return never;
    }

    private void tryTerminate() {
        if (shutdown && active.get() == 0 && running.isEmpty()) {
            terminated.countDown();
        }
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    @Override
    public String toString() {
        return "FiberScheduledExecutor[" + scheduler.name() + ", " + active.get() + " pending"
                + (shutdown ? ", shut down" : "") + "]";
    }
}
