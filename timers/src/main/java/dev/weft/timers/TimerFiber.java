package dev.weft.timers;

import dev.weft.io.TimerFd;
import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.FiberCall;
import dev.weft.scheduler.FiberKilledException;
import dev.weft.scheduler.Wake;
import dev.weft.scheduler.WeftScheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seed's alarm generator: one service fiber per scheduler owns a {@link TimerHeap}
 * and sleeps on a {@link TimerFd} registered edge-triggered in Weft's poller.
 *
 * <p>Actors and what they touch:
 * <ul>
 * <li>owners of nodes (any thread) post a node's update call to this fiber's mailbox
 *     (one CAS; coalesced per node) and never touch the heap;</li>
 * <li>this fiber, and only it, runs those calls (inside its sleep: the sleep accepts
 *     {@link Wake#IFC}), pops what is due, and re-arms the timerfd only when the
 *     earliest deadline changed ({@link TimerFd#setExpiry} skips the call otherwise);</li>
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
    private final TimerFd timerFd;               // this fiber only, once started
    private final Fiber fiber;
    private volatile long armedExpiry = TimerNode.NONE;   // written by this fiber before each sleep; read by senders

    private TimerFiber(WeftScheduler scheduler) {
        this.scheduler = scheduler;
        try {
            this.timerFd = TimerFd.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the timerfd of scheduler " + scheduler.name(), e);
        }
        try {
            this.fiber = scheduler.startService(scheduler.name() + "-timers", this::run);
        } catch (RuntimeException e) {
            timerFd.close();
            throw e;
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
     * fiber publishes {@code armedExpiry} and then looks at its mailbox (in its sleep); a
     * sender pushes and then reads {@code armedExpiry}. So either the fiber sees the call,
     * or the sender sees the new expiry and wakes it when its deadline is earlier.
     */
    void post(FiberCall update, long deadline) {
        if (deadline < armedExpiry) {
            fiber.post(update);
        } else {
            fiber.postQuietly(update);
        }
    }

    private void run() {
        try {
            for (;;) {
                expireDue(System.nanoTime());
                long head = heap.minKey();
                timerFd.setExpiry(head);
                armedExpiry = head;              // before the sleep looks at the mailbox: see post
                timerFd.await(Wake.IFC);         // returns on expiry or calls (run inside the sleep)
            }
        } catch (FiberKilledException | ClosedChannelException end) {
            // the scheduler is done: no fiber is left to time out
        } catch (IOException e) {
            throw new UncheckedIOException("timer fiber of " + scheduler.name() + " failed", e);
        } finally {
            BY_SCHEDULER.remove(scheduler, this);
            timerFd.close();
        }
    }

    private void expireDue(long now) {
        while (heap.minKey() <= now) {
            heap.poll().expire(now);
        }
    }

    /** Sends {@code call} to run on this fiber (once per send). */
    void call(FiberCall call) {
        fiber.call(call);
    }

    /** timerfd_settime calls so far (the re-arm-on-new-head rule, measured by the benchmarks). */
    long settimeCalls() {
        return timerFd.settimeCalls();
    }

    /** Nodes in the heap; call it on this fiber (through {@link #call}). */
    int pending() {
        return heap.size();
    }
}
