package dev.weft.scheduler;

import java.util.concurrent.locks.LockSupport;

/**
 * The scheduler's clock: a platform thread that ticks every quarter of the shorter of
 * the starvation bound and the pinned threshold (at least 1 ms) and keeps all timing off
 * the hot paths. Workers never read a clock; they only bump owner-written counters that
 * the watchdog samples.
 *
 * <ul>
 * <li><b>Pinned carriers.</b> A worker whose {@code running} fiber and {@code tasksRun}
 *     count have not changed for the pinned threshold is flagged {@link Worker#pinned}
 *     (others may then steal its slot). If work is queued, an idle worker is woken to
 *     steal it, or with none idle one dormant spare is started per tick, up to the
 *     configured maximum. A spare leaves between two fibers once no carrier has been
 *     pinned for the pinned threshold (beside the cores it would give a busy load more
 *     threads than CPUs; the threshold keeps a load whose pins come and go from starting
 *     and ending a thread every tick), or after its keep-alive without work.</li>
 * <li><b>Carriers that did not start.</b> A core worker left without a thread (the
 *     platform refused one) gets a new try every tick; a refused spare, at the next need.</li>
 * <li><b>Starvation.</b> A priority with queued work (shared lane or any local queue)
 *     whose taken-count has not moved for the starvation bound is flagged in
 *     {@link Lanes}; a worker then serves one of its items first.</li>
 * </ul>
 * Both judge by the watchdog's own clock, which counts only time it watched: it
 * advances by the real time between two ticks, but by at most two ticks. A longer gap
 * means this thread was stopped itself, and then so, most likely, was everything it
 * judges: a GC pause stops every thread, and on a busy machine the OS may not run it.
 * Without the cap, after a 100 ms pause every worker's fiber would be "unchanged" for
 * 100 ms though none ran, and the watchdog would start spares for carriers that were
 * never pinned.
 *
 * <p>All of its state but {@link #sparesWanted} is confined to its own thread.
 */
final class Watchdog implements Runnable {
    private final WeftScheduler scheduler;
    private final long starvationBound;
    private final long pinnedThreshold;
    private final long tick;
    private final Thread thread;
    private volatile boolean stopped;
    /** A carrier was pinned within the pinned threshold: written every tick, before a spare starts; read by spares. */
    volatile boolean sparesWanted;

    // Confined to the watchdog thread.
    private long lastTick;                  // System.nanoTime() of the previous tick
    private long watched;                   // the watchdog's clock: see the class comment
    private long lastPin = Long.MIN_VALUE / 2;   // watched time of the last tick that saw a pinned carrier
    private final long[] lastTasks;
    private final Fiber[] lastRunning;
    private final long[] sameSince;
    private final long[] lastTaken = new long[Priority.COUNT];
    private final long[] takenSince = new long[Priority.COUNT];

    Watchdog(WeftScheduler scheduler, long starvationBoundNanos, long pinnedThresholdNanos) {
        this.scheduler = scheduler;
        this.starvationBound = starvationBoundNanos;
        this.pinnedThreshold = pinnedThresholdNanos;
        this.tick = Math.max(1_000_000L, Math.min(starvationBoundNanos, pinnedThresholdNanos) / 4);
        int n = scheduler.workers.length;
        this.lastTasks = new long[n];
        this.lastRunning = new Fiber[n];
        this.sameSince = new long[n];
        this.lastTick = System.nanoTime();   // "unchanged since" starts at construction: watched time 0
        this.thread = Thread.ofPlatform().daemon().name(scheduler.name() + "-watchdog").unstarted(this);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        while (!stopped) {
            LockSupport.parkNanos(this, tick);
            check(System.nanoTime());
        }
    }

    /** One tick, at {@code System.nanoTime()} {@code now}; returns how many carriers are pinned. */
    int check(long now) {
        long t = watch(now);
        int pinned = checkCarriers(t);
        if (pinned > 0) {
            lastPin = t;
        }
        sparesWanted = t - lastPin < pinnedThreshold;   // before a spare starts: it leaves once false
        if (pinned > 0 && hasQueuedWork()) {
            relievePinned(pinned);
        }
        checkStarvation(t);
        scheduler.addCarrier(false);          // a core worker whose thread could not start: try again
        return pinned;
    }

    /** Advances the watchdog's clock to real time {@code now}, by at most two ticks; returns it. */
    private long watch(long now) {
        watched += Math.min(now - lastTick, 2 * tick);
        lastTick = now;
        return watched;
    }

    /**
     * Work is queued while carriers are pinned: the work may sit in a pinned worker's slot
     * or local queue, which only stealing can reach, and a slot push wakes nobody. Wake an
     * idle worker to steal (a pinned worker's slot is stealable), or, with none idle, start
     * a spare.
     */
    private void relievePinned(int pinned) {
        if (scheduler.idle.isNonEmpty()) {
            scheduler.idle.workQueued();
        } else if (scheduler.addCarrier(true)) {
            WeftEvents.spareAdded(scheduler.name(), pinned);
        }
    }

    /** Flags carriers held by one fiber past the threshold, at watched time {@code clock}; returns how many are. */
    private int checkCarriers(long clock) {
        int pinned = 0;
        Worker[] workers = scheduler.workers;
        for (int i = 0; i < workers.length; i++) {
            Worker w = workers[i];
            Fiber running = w.running();
            long tasks = w.tasksRun();
            if (running == null || running != lastRunning[i] || tasks != lastTasks[i]) {
                lastRunning[i] = running;
                lastTasks[i] = tasks;
                sameSince[i] = clock;
                w.pinned = false;
                continue;
            }
            if (clock - sameSince[i] >= pinnedThreshold) {
                if (!w.pinned) {
                    w.pinned = true;
                    WeftEvents.carrierPinned(scheduler.name(), w.index, running.thread, clock - sameSince[i]);
                }
                pinned++;
            }
        }
        return pinned;
    }

    private void checkStarvation(long clock) {
        for (int p = 0; p < Priority.COUNT; p++) {
            long taken = 0;
            for (Worker w : scheduler.workers) {
                taken += w.taken(p);
            }
            if (taken != lastTaken[p] || queued(p) == 0) {
                lastTaken[p] = taken;
                takenSince[p] = clock;
            } else if (clock - takenSince[p] >= starvationBound) {
                scheduler.lanes.markStarving(p);
                WeftEvents.starvationPromotion(scheduler.name(), Priority.ALL[p], clock - takenSince[p]);
                takenSince[p] = clock;
            }
        }
    }

    private boolean hasQueuedWork() {
        for (int p = 0; p < Priority.COUNT; p++) {
            if (queued(p) > 0) {
                return true;
            }
        }
        return false;
    }

    /** Items of priority {@code p} queued anywhere: the shared lane and every local queue and slot. */
    long queued(int p) {
        long n = scheduler.lanes.size(p);
        for (Worker w : scheduler.workers) {
            n += w.localSize(p);
        }
        return n;
    }
}
