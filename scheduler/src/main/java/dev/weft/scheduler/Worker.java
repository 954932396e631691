package dev.weft.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.SpmcArrayQueue;

/**
 * One carrier of a {@link WeftScheduler}: its queues, its walk through the idle protocol
 * ({@link Idle}) and its counters. The platform thread running it is a {@link WorkerThread}.
 *
 * <h2>Queues, in the order the worker serves them</h2>
 * <ol>
 * <li><b>starving priority</b> — when the watchdog flagged a priority, one item of it;</li>
 * <li><b>slot</b> — the fiber most recently woken by a fiber running here (Go's
 *     runnext): it runs next, on warm caches. At most {@value #SLOT_STREAK} slot runs
 *     in a row, then the slot fiber goes to the back of the local queue, so a
 *     ping-pong pair cannot starve the rest;</li>
 * <li>per priority, highest first: the <b>local queue</b> (work this worker re-queued
 *     itself: yields, the slot's previous occupant), then the <b>shared lane</b>. Every
 *     {@value #SHARED_CHECK_INTERVAL}th pick looks at the shared lane first, so local
 *     work cannot starve external submissions of the same priority;</li>
 * <li><b>stealing</b> — one item from another worker's local queue (and from its slot
 *     when the watchdog flagged that worker as pinned), highest priority first.</li>
 * </ol>
 * Local queues are bounded SPMC rings: only this worker offers, any worker polls.
 * Overflow goes to the shared lane.
 *
 * <h2>States</h2>
 * The idle protocol (registering idle, being claimed, the search and poll tokens) is
 * {@link Idle}'s; the worker only walks through its transitions, in the order Idle's
 * lost-wakeup rule names. Its own {@code state} is written by itself alone, for stats:
 * <pre>
 *   ACTIVE --no work--> IDLE --found work itself, or took a handoff--> ACTIVE
 *   IDLE --terminating--> EXITED;   IDLE --spare past its keep-alive--> EXITED (the spare is dormant: no thread)
 *   ACTIVE --spare between fibers, no carrier pinned for the pinned threshold--> EXITED
 * </pre>
 * With an {@link IdlePoller}, one IDLE worker at a time waits in its poll instead of
 * parking; it leaves IDLE by the same transition as a worker that found work.
 */
final class Worker {
    static final int ACTIVE = 1, IDLE = 2, EXITED = 3;
    /** What {@link #awaitWork} returns when the worker must exit (terminating, or a spare past its keep-alive). */
    private static final Object EXIT = new Object();
    /** What {@link #awaitWork} returns after this worker's poll made fibers ready (queued locally). */
    private static final Object POLLED = new Object();

    static final int SLOT_STREAK = 3;
    static final int SHARED_CHECK_INTERVAL = 61;
    static final int LOCAL_CAPACITY = 256;

    final WeftScheduler scheduler;
    final int index;
    final boolean spare;
    private final Lanes lanes;
    private final SpmcArrayQueue<Fiber>[] local;   // index = priority; offered by owner only, polled by any worker

    private final Idle idle;
    volatile int state;               // written by this worker only (stats read it)
    /**
     * The carrier thread, or null: a spare that is dormant, or a worker whose thread could
     * not start. Set by whoever starts a carrier (the constructor, the watchdog, the
     * replacement of a dead one); cleared by the carrier as its last act when it ends.
     */
    volatile WorkerThread thread;
    volatile boolean pinned;          // watchdog: current fiber has held this carrier past the limit
    private volatile Fiber slot;      // owner swaps; stealers CAS only when pinned

    // Owner-written counters (setOpaque), read by stats and the watchdog (getOpaque).
    private long tasksRun;
    private long handoffs;
    private long slotHits;
    private long steals;
    private long promotions;
    private final long[] taken = new long[Priority.COUNT];
    private Fiber running;            // the fiber on this carrier now, or null

    // Owner-only.
    private boolean searcher;         // took a handoff: owes Idle one searchDone
    private boolean polling;          // in IdlePoller.poll(): wakes wait until the poll's batch is queued
    private int slotStreak;
    private int tick;
    private int seed;

    @SuppressWarnings({"unchecked", "rawtypes"})   // generic array of queues
    Worker(WeftScheduler scheduler, int index, boolean spare) {
        this.scheduler = scheduler;
        this.index = index;
        this.spare = spare;
        this.lanes = scheduler.lanes;
        this.idle = scheduler.idle;
        this.local = new SpmcArrayQueue[Priority.COUNT];
        for (int p = 0; p < Priority.COUNT; p++) {
            local[p] = new SpmcArrayQueue<>(LOCAL_CAPACITY);
        }
        this.seed = index * 0x9E3779B9 | 1;
        this.state = spare ? EXITED : ACTIVE;
    }

    // ------------------------------------------------------------------ run loop

    void runLoop() {
        state = ACTIVE;
        for (;;) {
            if (spare && !scheduler.watchdog().sparesWanted) {
                retire();
                return;
            }
            Fiber f = findWork();
            if (f == null) {
                Object h = awaitWork();
                if (h == EXIT) {
                    return;
                }
                if (h == POLLED) {
                    f = findWork();
                    if (f != null && scheduler.workPending()) {
                        idle.workQueued();        // the poll readied more than this worker's next fiber
                    }
                } else if (h == Idle.WAKE) {
                    f = findWork();
                } else {
                    f = (Fiber) h;
                }
            }
            if (searcher) {
                // Give up the search token before running: a long or pinned slice must
                // not hold it, or no other idle worker would be woken meanwhile (Go's
                // resetspinning).
                searcher = false;
                idle.searchDone(f != null);
            }
            if (f != null) {
                run(f);
            }
        }
    }

    private void run(Fiber f) {
        RUNNING.setOpaque(this, f);
        try {
            scheduler.runSlice(f);
        } finally {
            RUNNING.setOpaque(this, (Fiber) null);
            TASKS_RUN.setOpaque(this, tasksRun + 1);
        }
    }

    /** The next fiber to run from the queues, or null when there is none anywhere. */
    private Fiber findWork() {
        int starving = lanes.starving();
        if (starving != 0) {
            Fiber f = takeStarving(starving);
            if (f != null) {
                return f;
            }
        }
        Fiber s = slot;
        if (s != null) {
            if (slotStreak < SLOT_STREAK) {
                if (SLOT.compareAndSet(this, s, (Fiber) null)) {
                    slotStreak++;
                    SLOT_HITS.setOpaque(this, slotHits + 1);
                    return s;
                }
            } else if (SLOT.compareAndSet(this, s, (Fiber) null)) {
                offerLocal(s, s.routePriority().ordinal());
            }
        }
        slotStreak = 0;
        boolean sharedFirst = ++tick == SHARED_CHECK_INTERVAL;
        if (sharedFirst) {
            tick = 0;
        }
        for (int p = 0; p < Priority.COUNT; p++) {
            Fiber f = sharedFirst ? takeShared(p, true) : takeLocal(p, true);
            if (f != null) {
                return f;
            }
        }
        return steal();
    }

    private Fiber takeLocal(int p, boolean thenShared) {
        Fiber f = local[p].relaxedPoll();
        if (f != null) {
            count(p);
            return f;
        }
        return thenShared ? takeShared(p, false) : null;
    }

    private Fiber takeShared(int p, boolean thenLocal) {
        Fiber f = lanes.poll(p);
        if (f != null) {
            count(p);
            return f;
        }
        return thenLocal ? takeLocal(p, false) : null;
    }

    private Fiber takeStarving(int starving) {
        for (int p = Priority.COUNT - 1; p >= 0; p--) {   // lowest first: it waited longest
            if ((starving & (1 << p)) != 0) {
                Fiber f = takeShared(p, true);
                if (f == null) {
                    f = stealPriority(p);
                }
                if (f != null) {
                    lanes.clearStarving(p);
                    PROMOTIONS.setOpaque(this, promotions + 1);
                    return f;
                }
            }
        }
        return null;
    }

    private void count(int p) {
        TAKEN.setOpaque(taken, p, taken[p] + 1);
    }

    // ------------------------------------------------------------------ stealing

    private Fiber steal() {
        for (int p = 0; p < Priority.COUNT; p++) {
            Fiber f = stealPriority(p);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private Fiber stealPriority(int p) {
        Worker[] all = scheduler.workers;
        int n = all.length;
        int start = nextRandom() % n;
        for (int i = 0; i < n; i++) {
            Worker v = all[(start + i) % n];
            if (v == this) {
                continue;
            }
            Fiber f = v.local[p].relaxedPoll();
            if (f == null && v.pinned) {
                f = v.stealSlot(p);
            }
            if (f != null) {
                count(p);
                STEALS.setOpaque(this, steals + 1);
                return f;
            }
        }
        return null;
    }

    /** A stealer takes the slot of this (pinned) worker when it holds priority {@code p}. */
    private Fiber stealSlot(int p) {
        Fiber s = slot;
        return s != null && s.routePriority().ordinal() == p && SLOT.compareAndSet(this, s, (Fiber) null) ? s : null;
    }

    private int nextRandom() {
        int x = seed;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        seed = x;
        return x & Integer.MAX_VALUE;
    }

    // ------------------------------------------------------------------ submissions from this carrier

    /** A fiber running on this worker woke {@code f}: it runs next; the slot's previous occupant is queued. */
    void pushSlot(Fiber f) {
        Fiber old = (Fiber) SLOT.getAndSet(this, f);
        if (old != null) {
            pushLocal(old, old.routePriority().ordinal());
        }
    }

    /**
     * Queues {@code f} behind this worker's local work and lets an idle worker come and
     * steal; during this worker's own poll the wake waits until the poll's batch is queued.
     */
    void pushLocal(Fiber f, int p) {
        offerLocal(f, p);
        if (!polling) {
            idle.workQueued();
        }
    }

    private void offerLocal(Fiber f, int p) {
        if (!local[p].offer(f)) {
            lanes.offer(f, p);
        }
    }

    // ------------------------------------------------------------------ idling

    /**
     * Registers idle and waits: {@link Idle}'s worker steps (register, look at every queue,
     * then wait to be claimed). Returns a fiber this worker found itself, what a notifier
     * handed it (a fiber, or {@link Idle#WAKE}: then it is the searcher), {@link #POLLED}
     * after its poll made fibers ready, or {@link #EXIT} when it must exit (scheduler
     * terminating, or a spare past its keep-alive).
     */
    private Object awaitWork() {
        state = IDLE;
        idle.toIdle(index);
        Fiber f = findWork();
        if (f != null) {
            if (idle.leave(index)) {
                state = ACTIVE;
                return f;
            }
            offerLocal(f, f.routePriority().ordinal());   // claimed meanwhile: its handoff comes first
        }
        if (pollWhileIdle() && idle.leave(index)) {
            state = ACTIVE;
            return POLLED;
        }
        Object h = awaitHandoff();
        if (h != EXIT) {
            state = ACTIVE;
            searcher = true;
            if (h != Idle.WAKE) {
                HANDOFFS.setOpaque(this, handoffs + 1);
            }
        }
        return h;
    }

    /**
     * Waits in the scheduler's {@link IdlePoller} instead of parking, if there is one and no
     * other worker is in it (spares never poll: they must be able to retire); returns
     * whether it polled (then it looks at the queues again). The worker stays claimable
     * throughout: a claim breaks the poll ({@link Idle#tryPoll}).
     */
    private boolean pollWhileIdle() {
        IdlePoller poller = scheduler.idlePoller;
        if (poller == null || spare || scheduler.isTerminating() || !idle.tryPoll(index)) {
            return false;
        }
        polling = true;
        try {
            poller.poll();
            return true;
        } finally {
            polling = false;
            idle.pollDone();
        }
    }

    private Object awaitHandoff() {
        long keepAlive = scheduler.spareKeepAliveNanos;
        long deadline = spare ? System.nanoTime() + keepAlive : 0L;
        for (;;) {
            Object h = idle.takeHandoff(index);
            if (h != null) {
                return h;
            }
            if (scheduler.isTerminating() && idle.leave(index)) {
                state = EXITED;
                return EXIT;
            }
            if (!spare) {
                LockSupport.park(this);
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0 && idle.leave(index)) {
                    state = EXITED;
                    scheduler.spareRetired(this);
                    return EXIT;
                }
                LockSupport.parkNanos(this, Math.max(left, 1));
            }
        }
    }

    /**
     * A spare between two fibers, with no carrier pinned for the pinned threshold, leaves:
     * the cores that were pinned run again, and a spare beside them would give a busy load
     * more threads than CPUs for as long as the load lasts (it would never be idle for its
     * keep-alive).
     * Only this carrier puts work in its slot and local queues, so what is there now is
     * all there will be: it goes to the shared lanes, and a waiting worker is woken for it.
     * Not being idle, it holds nothing of the idle protocol.
     */
    private void retire() {
        boolean moved = slotToShared();
        for (int p = 0; p < Priority.COUNT; p++) {
            for (Fiber f; (f = local[p].relaxedPoll()) != null; ) {
                lanes.offer(f, p);
                moved = true;
            }
        }
        if (moved) {
            idle.workQueued();
        }
        state = EXITED;
        scheduler.spareRetired(this);
    }

    /** Moves the slot's fiber, if there is one, to the shared lane; returns whether there was. */
    private boolean slotToShared() {
        Fiber s = (Fiber) SLOT.getAndSet(this, (Fiber) null);
        if (s != null) {
            lanes.offer(s, s.routePriority().ordinal());
        }
        return s != null;
    }

    /**
     * Starts a new carrier thread for this worker with {@code start} (the scheduler's way of
     * starting threads). If it does not start, the worker is left without a thread and the
     * failure propagates.
     */
    void startThread(String name, java.util.function.Consumer<Thread> start) {
        WorkerThread t = new WorkerThread(this, name);
        thread = t;
        try {
            start.accept(t);
        } catch (Throwable e) {
            THREAD.compareAndSet(this, t, (WorkerThread) null);
            throw e;
        }
    }

    /**
     * This worker's carrier is dying (an error escaped it); called on that carrier. Until
     * a replacement runs, nothing may wait on this worker: it leaves the idle protocol
     * (a handoff it had not taken goes to the shared lane, with the search token it came
     * with given back), and its slot, which only its own carrier runs, goes to the shared
     * lane too; a waiting worker is woken for them. Its local queues stay for stealers.
     */
    void abandon() {
        Object h = idle.evict(index);
        slotToShared();
        if (h instanceof Fiber f) {
            lanes.offer(f, f.routePriority().ordinal());
        }
        if (h != null || searcher) {
            searcher = false;
            idle.searchDone(true);
        } else {
            idle.workQueued();
        }
    }

    /** The carrier thread {@code t} ends: the worker has no thread (unless a replacement took over already). */
    void threadEnded(WorkerThread t) {
        THREAD.compareAndSet(this, t, (WorkerThread) null);
    }

    // ------------------------------------------------------------------ observation (any thread)

    long tasksRun() {
        return (long) TASKS_RUN.getOpaque(this);
    }

    long handoffs() {
        return (long) HANDOFFS.getOpaque(this);
    }

    long slotHits() {
        return (long) SLOT_HITS.getOpaque(this);
    }

    long steals() {
        return (long) STEALS.getOpaque(this);
    }

    long promotions() {
        return (long) PROMOTIONS.getOpaque(this);
    }

    long taken(int p) {
        return (long) TAKEN.getOpaque(taken, p);
    }

    Fiber running() {
        return (Fiber) RUNNING.getOpaque(this);
    }

    /** Whether this worker's local queue of priority {@code p} holds stealable work. */
    boolean hasLocal(int p) {
        return !local[p].isEmpty();
    }

    int localSize(int p) {
        return local[p].size() + (slotPriority() == p ? 1 : 0);
    }

    private int slotPriority() {
        Fiber s = slot;
        return s == null ? -1 : s.routePriority().ordinal();
    }

    private static final VarHandle THREAD = Handles.field(MethodHandles.lookup(), "thread", WorkerThread.class);
    private static final VarHandle SLOT = Handles.field(MethodHandles.lookup(), "slot", Fiber.class);
    private static final VarHandle RUNNING = Handles.field(MethodHandles.lookup(), "running", Fiber.class);
    private static final VarHandle TASKS_RUN = Handles.field(MethodHandles.lookup(), "tasksRun", long.class);
    private static final VarHandle HANDOFFS = Handles.field(MethodHandles.lookup(), "handoffs", long.class);
    private static final VarHandle SLOT_HITS = Handles.field(MethodHandles.lookup(), "slotHits", long.class);
    private static final VarHandle STEALS = Handles.field(MethodHandles.lookup(), "steals", long.class);
    private static final VarHandle PROMOTIONS = Handles.field(MethodHandles.lookup(), "promotions", long.class);
    private static final VarHandle TAKEN = MethodHandles.arrayElementVarHandle(long[].class);
}
