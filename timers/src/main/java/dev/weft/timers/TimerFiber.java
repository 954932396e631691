package dev.weft.timers;

import dev.weft.io.Alarm;
import dev.weft.io.PollerAlarm;
import dev.weft.io.TimerFd;
import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.FiberCall;
import dev.weft.scheduler.FiberKilledException;
import dev.weft.scheduler.Wake;
import dev.weft.scheduler.WeftScheduler;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seed's alarm generator: one service fiber per scheduler owns a {@link TimerHeap}
 * and sleeps on an {@link Alarm}: a {@link TimerFd} registered edge-triggered in Weft's
 * poller, or a {@link PollerAlarm} folded into the poller's epoll_wait timeout.
 *
 * <p>Actors and what they touch:
 * <ul>
 * <li>owners of nodes (any thread) post a node's update call to this fiber's mailbox
 *     (one CAS; coalesced per node) and never touch the heap;</li>
 * <li>this fiber, and only it, runs those calls (before it sleeps, and inside its sleep:
 *     the sleep accepts {@link Wake#IFC}), pops what is due, and re-arms the timerfd only
 *     when it is about to sleep and the earliest deadline changed
 *     ({@link TimerFd#setExpiry} skips the call otherwise);</li>
 * <li>the poller raises IO_READ when the timerfd expires.</li>
 * </ul>
 * A due fiber timeout wakes its fiber from here: the wake is a submission from this
 * fiber's carrier, so the woken fiber runs next on the same worker (its slot), with no
 * hop through another thread. The fiber is a service ({@link WeftScheduler#startService}):
 * it does not keep its scheduler alive and ends when the scheduler kills it.
 */
final class TimerFiber {
    private static final ConcurrentHashMap<WeftScheduler, TimerFiber> BY_SCHEDULER = new ConcurrentHashMap<>();

    final TimerHeap heap = new TimerHeap();      // this fiber only
    private final WeftScheduler scheduler;
    private final Alarm alarm;                   // this fiber only, once started: a timerfd or the poller's timeout
    private final Fiber fiber;
    private volatile long armedExpiry = TimerNode.NONE;   // written by this fiber before each sleep; read by senders
    private volatile boolean ended;              // set once by this fiber as it ends; read by senders after their post

    private TimerFiber(WeftScheduler scheduler) {
        this.scheduler = scheduler;
        this.alarm = openAlarm(scheduler);
        try {
            this.fiber = scheduler.startService(scheduler.name() + "-timers", this::run);
        } catch (RuntimeException e) {
            alarm.close();
            throw e;
        }
    }

    /**
     * The alarm the timer fiber sleeps on: a timerfd in the poller (default), or with
     * {@code -Ddev.weft.timers.alarm=poller} the deadline folded into the poller thread's
     * epoll_wait timeout (the two are compared in BENCHMARKS.md).
     */
    private static Alarm openAlarm(WeftScheduler scheduler) {
        String kind = System.getProperty("dev.weft.timers.alarm", "timerfd");
        switch (kind) {
            case "timerfd":
                try {
                    return TimerFd.open();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot open the timerfd of scheduler " + scheduler.name(), e);
                }
            case "poller":
                return PollerAlarm.open();
            default:
                throw new IllegalArgumentException("dev.weft.timers.alarm must be timerfd or poller, got " + kind);
        }
    }

    /** The timer fiber of {@code scheduler}, started on first use. */
    static TimerFiber of(WeftScheduler scheduler) {
        TimerFiber t = BY_SCHEDULER.get(scheduler);
        return t != null ? t : BY_SCHEDULER.computeIfAbsent(scheduler, TimerFiber::new);
    }

    /**
     * Queues {@code update} (for a node that now wants {@code deadline}) on this fiber's
     * mailbox unless it is pending already; wakes this fiber only if {@code deadline} is
     * earlier than the expiry its timerfd is set to. A later deadline (or a cancel) waits
     * for that wake-up: the fiber runs its calls at every wake. Why none is stranded: this
     * fiber publishes {@code armedExpiry} and then looks at its mailbox (before and in its
     * sleep); a sender pushes and then reads {@code armedExpiry}. So either the fiber sees the call,
     * or the sender sees the new expiry and wakes it when its deadline is earlier. The wake
     * does not depend on whether this post queued the update or found it queued already:
     * an update posted quietly for a later deadline may still be waiting when its node asks
     * for an earlier one.
     */
    void post(FiberCall update, long deadline) {
        fiber.postQuietly(update);
        if (deadline < armedExpiry) {            // read after the push, and whether or not the post coalesced
            fiber.wake(Wake.IFC);
        }
    }

    private void run() {
        Fiber self = Fiber.current();            // not the field: the constructor may not have set it yet
        try {
            for (;;) {
                expireDue(System.nanoTime());
                long head = heap.minKey();
                armedExpiry = head;              // before the mailbox is looked at: see post
                if (self.processCalls() == 0) {
                    alarm.setExpiry(head);       // only for a sleep: in a burst of requests the head moves at every pass
                    awaitAlarmOrCalls();
                }
            }
        } catch (FiberKilledException | ClosedChannelException end) {
            // the scheduler is done: no fiber is left to time out
        } catch (IOException e) {
            throw new UncheckedIOException("timer fiber of " + scheduler.name() + " failed", e);
        } finally {
            end(self);
        }
    }

    /**
     * Sleeps until the alarm expires or calls arrive (they run inside the sleep). An
     * interrupt does not stop the service (only its scheduler's kill does): it is cleared
     * and the fiber sleeps again.
     */
    private void awaitAlarmOrCalls() throws IOException {
        try {
            alarm.await(Wake.IFC);
        } catch (InterruptedIOException interrupted) {
            Thread.interrupted();
        }
    }

    /**
     * The fiber ends: what is still in the heap can never fire, so scheduled tasks are
     * cancelled (their futures complete, their executor can terminate) rather than left
     * pending. Why no task is missed: this fiber sets {@code ended}, then runs the calls
     * already queued and sweeps the heap; a task's scheduler posts, then reads
     * {@link #hasEnded()} and cancels the task itself when it is set. So a request is
     * either in the heap for the sweep, or its sender sees the end (or both; cancel is
     * idempotent).
     */
    private void end(Fiber self) {
        ended = true;
        BY_SCHEDULER.remove(scheduler, this);
        self.processCalls();
        heap.forEach(TimerNode::abandon);
        alarm.close();
    }

    /** True once this fiber has ended: posts to it are never served. */
    boolean hasEnded() {
        return ended;
    }

    /**
     * Expires what is due, yielding the carrier after every {@value #FIRES_PER_SLICE}
     * nodes: a burst of 100,000 timeouts due at once takes tens of milliseconds to fire,
     * and held in one slice it would look pinned to the watchdog, which then starts a
     * spare carrier that competes with the cores for the CPUs.
     */
    private void expireDue(long now) {
        int fired = 0;
        while (heap.minKey() <= now) {
            heap.poll().expire(now);
            if (++fired % FIRES_PER_SLICE == 0) {
                Thread.yield();
            }
        }
    }

    private static final int FIRES_PER_SLICE = 1024;

    /** Sends {@code call} to run on this fiber (once per send). */
    void call(FiberCall call) {
        fiber.call(call);
    }

    /** System calls made so far to move the alarm (the re-arm-on-new-head rule, measured by the benchmarks). */
    long armCalls() {
        return alarm.armCalls();
    }

    /** The alarm this fiber sleeps on (which kind: tests). */
    Alarm alarm() {
        return alarm;
    }

    /** Nodes in the heap; call it on this fiber (through {@link #call}). */
    int pending() {
        return heap.size();
    }
}
