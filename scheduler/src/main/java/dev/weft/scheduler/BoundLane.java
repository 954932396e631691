package dev.weft.scheduler;

import java.lang.invoke.MethodHandles;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

/**
 * A lane served by exactly one platform thread: the seed's "bind some fibers to run in
 * the main thread only". Fibers built from {@link #ofVirtual()} or {@link #threadFactory()}
 * — and the children they start with plain {@code Thread.ofVirtual()}, which inherit the
 * lane — run only on the thread inside {@link #run()}.
 *
 * <p>Within the lane, order is FIFO; priorities do not apply (there is one server).
 * Bound fibers count as live fibers of the scheduler, so the scheduler does not
 * terminate while one is alive: someone must be serving the lane for them to finish.
 *
 * <p>Actors: any submitter offers (multi-producer queue) and unparks the server if it
 * announced it is waiting; the one server polls. Lost-wakeup rule: the server sets
 * {@code waiting} then re-checks the queue; a submitter offers then reads {@code waiting}
 * (both volatile, so one of them sees the other).
 */
public final class BoundLane {
    private final WeftScheduler scheduler;
    private final String name;
    private final Route.Shared route;
    private final MpscUnboundedXaddArrayQueue<Fiber> queue = new MpscUnboundedXaddArrayQueue<>(256, 2);
    private volatile Thread server;     // the thread inside run(), or null
    private volatile boolean waiting;   // server is about to park
    private volatile boolean closed;    // no new starts
    private final java.util.concurrent.atomic.AtomicInteger live = new java.util.concurrent.atomic.AtomicInteger(); // bound fibers started, not exited

    BoundLane(WeftScheduler scheduler, String name) {
        this.scheduler = scheduler;
        this.name = name;
        this.route = new Route.Shared(scheduler, Priority.NORMAL, this);
    }

    /** The lane's name. */
    public String name() {
        return name;
    }

    /** A virtual-thread builder whose threads run only on this lane's server thread. */
    public Thread.Builder.OfVirtual ofVirtual() {
        return CarrierHook.newBuilder(route);
    }

    /** A factory of threads that run only on this lane's server thread. */
    public ThreadFactory threadFactory() {
        return ofVirtual().factory();
    }

    /**
     * Serves the lane on the calling platform thread until the scheduler has terminated
     * and nothing is queued, or until {@link #close()} and the lane's queue is drained.
     * Interrupts do not end it: one that reaches the thread while it waits for work is kept
     * and set again when run() returns (while a fiber runs on it, the JDK's unmount clears
     * the thread's status).
     *
     * @throws IllegalStateException if called from a virtual thread, or while another
     *         thread serves the lane
     */
    public void run() {
        Thread me = Thread.currentThread();
        if (me.isVirtual()) {
            throw new IllegalStateException("a bound lane must be served by a platform thread, not " + me);
        }
        if (!SERVER_CAS.compareAndSet(this, null, me)) {
            throw new IllegalStateException("lane " + name + " is already served by " + server);
        }
        boolean interrupted = false;
        try {
            interrupted = serve();
        } finally {
            server = null;
            if (interrupted) {
                me.interrupt();
            }
        }
    }

    /** Serves until done; returns whether the thread was interrupted meanwhile (mounting a fiber clears the status). */
    private boolean serve() {
        boolean interrupted = false;
        for (;;) {
            Fiber f = queue.poll();
            if (f != null) {
                interrupted |= Thread.interrupted();
                scheduler.runSlice(f);
                continue;
            }
            if (isDone()) {
                return interrupted | Thread.interrupted();
            }
            waiting = true;                   // then the wait tests the queue: the Dekker pair with offer
            Wait.await(work, 0, 0, Long.MAX_VALUE, Wait.UNINTERRUPTIBLE);
            waiting = false;
        }
    }

    private boolean isDone() {
        return scheduler.isTerminating() || (closed && live.get() == 0);
    }

    /**
     * What the idle server waits for: work queued, or the lane done. Uninterruptible: an
     * interrupt of the serving thread does not stop the lane (its fibers still need it); it
     * is kept, and set again when run() returns.
     */
    private final Wait.Until work = new Wait.Until() {
        @Override
        public boolean done() {
            return !queue.isEmpty() || isDone();
        }

        @Override
        public String toString() {
            return "work on lane " + name;
        }
    };

    /** Rejects new starts on this lane; fibers already bound still run while the lane is served. */
    public void close() {
        closed = true;
        wakeServer();
    }

    boolean isClosed() {
        return closed;
    }

    /** Number of fibers queued on the lane now. */
    public int queued() {
        return queue.size();
    }

    void fiberStarted() {
        live.incrementAndGet();
    }

    void fiberExited() {
        if (live.decrementAndGet() == 0 && closed) {
            wakeServer();
        }
    }

    void offer(Fiber f) {
        queue.offer(f);
        if (waiting) {
            wakeServer();
        }
    }

    void wakeServer() {
        Thread s = server;
        if (s != null) {
            LockSupport.unpark(s);
        }
    }

    @Override
    public String toString() {
        return "BoundLane[" + name + " of " + scheduler.name() + ", server=" + Objects.toString(server, "none") + "]";
    }

    private static final java.lang.invoke.VarHandle SERVER_CAS = Handles.field(MethodHandles.lookup(), "server", Thread.class);
}
