package dev.weft.scheduler;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's timed parks of Weft fibers, on Weft's timers. With a custom scheduler the JDK
 * sends the timeout of every timed park of a virtual thread — {@code Thread.sleep},
 * {@code LockSupport.parkNanos}, timed {@code Object.wait}, every timed j.u.c wait, socket
 * timeouts — to {@code VirtualThread.DelayedTaskSchedulers}: one
 * ScheduledThreadPoolExecutor per 4 CPUs (a binary heap under a lock, a task object per
 * park, its own thread firing it). That array's elements are replaced, once per JVM, by
 * one of these around each original.
 *
 * <p>The JDK calls {@link #schedule(Runnable, long, TimeUnit)} on the carrier, in
 * afterYield, right after the parking thread unmounted. On a Weft worker the thread that
 * parked is the worker's running fiber: its timeout goes to that fiber's reusable timeout
 * node in its scheduler's timer heap, and the JDK's task (which only makes the fiber
 * runnable) runs on the timer fiber when due; the future the JDK cancels on an early
 * unpark is the node itself. No allocation on Weft's side. Every other caller — a bound
 * lane's server thread, another custom scheduler's carrier, any other method — goes to
 * the JDK's original executor, so nothing of another scheduler depends on a Weft one.
 *
 * <p>Turned off with {@code -D}{@value #PROPERTY}{@code =jdk}; without a timer service
 * (weft-timers) on the class path it is never installed.
 */
final class JdkTimedParks extends AbstractExecutorService implements ScheduledExecutorService {
    /** The system property that turns this off: {@code jdk} keeps the JDK's executors. */
    static final String PROPERTY = "dev.weft.jdkTimedParks";

    private final ScheduledExecutorService jdk;   // the JDK's own, for everyone else

    JdkTimedParks(ScheduledExecutorService jdk) {
        this.jdk = jdk;
    }

    /** Whether the JDK's timed parks of Weft fibers go to Weft's timers in this JVM. */
    static boolean wanted() {
        String v = System.getProperty(PROPERTY, "weft");
        return switch (v) {
            case "weft" -> TimerServices.present();
            case "jdk" -> false;
            default -> throw new IllegalArgumentException(PROPERTY + " must be weft or jdk, got " + v);
        };
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Fiber parked = parkedFiber();
        if (parked != null) {
            try {
                return parked.scheduleJdkTimeout(command, Weft.deadlineAfterNanos(unit.toNanos(delay)));
            } catch (RuntimeException | LinkageError cannot) {
                notServed(parked, cannot);           // the park must still time out: the JDK's executor serves it
            }
        }
        return jdk.schedule(command, delay, unit);
    }

    private volatile boolean toldOnce;           // the first failure is logged, later ones only served

    private void notServed(Fiber parked, Throwable cause) {
        if (!toldOnce) {
            toldOnce = true;
            System.getLogger(JdkTimedParks.class.getName()).log(System.Logger.Level.WARNING, "Weft's timers could not take"
                    + " the timed park of " + parked + "; the JDK's executor serves it (and any other that fails so)", cause);
        }
    }

    /** The fiber that just parked on this Weft worker's carrier, or null when the caller is not one. */
    private static Fiber parkedFiber() {
        return Thread.currentThread() instanceof WorkerThread wt ? wt.worker.running() : null;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return jdk.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return jdk.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return jdk.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    @Override
    public void execute(Runnable command) {
        jdk.execute(command);
    }

    @Override
    public void shutdown() {
        jdk.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return jdk.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return jdk.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return jdk.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return jdk.awaitTermination(timeout, unit);
    }

    @Override
    public String toString() {
        return "Weft's timers for the timed parks of Weft fibers, else " + jdk;
    }
}
