package dev.weft.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The idle/search protocol of one scheduler (Tokio's {@code idle.rs}): which workers wait
 * for work, which one searches, which one polls, and how queued work reaches a waiting
 * worker. Every word of the protocol lives here; its methods are the named transitions,
 * and the lost-wakeup argument below is the one the rest of the scheduler relies on.
 *
 * <h2>State</h2>
 * <ul>
 * <li><b>the stack</b>: waiting workers, LIFO (the most recently idle worker, warmest
 *     cache, is woken first), a versioned index stack. Membership is a hint: a worker that
 *     found work itself after registering stays in it as a stale entry, discarded by the
 *     pop that meets it;</li>
 * <li><b>per worker, its claim word</b>: AWAKE → WAITING (the worker, {@link #toIdle}) →
 *     CLAIMED (a notifier, by CAS) → AWAKE (the worker, {@link #takeHandoff}); or WAITING →
 *     AWAKE (the worker by CAS, {@link #leave}: it found work itself, retires or exits; or,
 *     its carrier dying, {@link #evict}). Only a notifier moves WAITING → CLAIMED, and it
 *     writes the handoff right after; only the worker leaves CLAIMED. So a hand-off is
 *     never lost and never given to a worker that is not waiting. The worker's own run
 *     state ({@code Worker.state}) is its own;</li>
 * <li><b>searching</b>: the number of search tokens out (Go's nmspinning, Tokio's
 *     num_searching). A notifier takes the token (0 → 1) before it claims a worker and
 *     hands it to that worker with the claim; the worker gives it back with
 *     {@link #searchDone} before it runs what it found (Go's resetspinning). While a token
 *     is out, submitters only queue: its holder looks again before it lets go;</li>
 * <li><b>the poll token</b>: at most one waiting worker blocks in the {@link IdlePoller}
 *     instead of parking ({@code pollingWorker}).</li>
 * </ul>
 *
 * <h2>Why no work is stranded (the rule everything relies on)</h2>
 * <pre>
 *  worker going idle                        submitter (or a token holder letting go)
 *  1. claim = WAITING; push (CAS)           1. offer to a shared lane (xadd)
 *  2. look at every queue                   2. read searching and the stack; if no token is
 *                                              out and a worker waits: take the token, claim one
 * </pre>
 * Every step 1 is a full fence (the claim word's volatile store, the push's CAS, the
 * lane's xadd), so either the worker's look sees the work, or the submitter sees the
 * worker. Work a worker queues on its own local queue is not covered by this pair (the
 * ring's offer is a release store, not a full fence, and a stealer may miss it): it is
 * never stranded, since its owner runs it when its current slice ends, and a slice that
 * holds the carrier past the pinned threshold has the watchdog wake a stealer; the signal
 * after a local push only makes stealing sooner.
 *
 * <p>A submitter that sees a token out wakes nobody: the token's holder does. The holder is a claimed worker, which will look at the queues (and wakes the
 * next worker if it sees more), or a submitter whose claim found only stale entries: it
 * gives the token back (a full fence) and then looks at the queues and the stack again,
 * retrying while both hold something. That second look is the holder's step 2 after the
 * other submitter's step 1: a submitter that saw the token read it before the give-back,
 * so its work is visible to the look after it.
 *
 * <h2>A worker in the poll</h2>
 * The polling worker is WAITING like any other and can be claimed: it publishes
 * {@code pollingWorker} and then reads its claim word; a notifier CASes the claim and then
 * reads {@code pollingWorker}. So either the worker sees the claim and skips the poll, or
 * the notifier sees it polling and breaks the poll ({@link Host#wakePoller}) instead of
 * unparking it.
 */
final class Idle {
    /** What the protocol needs from its scheduler. */
    interface Host {
        /** Whether some lane or local queue holds work a woken worker could take. */
        boolean workPending();

        /** Unparks worker {@code w}'s carrier thread. */
        void unpark(int w);

        /** Makes the poll of the polling worker return (IdlePoller.wakeup). */
        void wakePoller();
    }

    /** Handoff value that asks the worker to search the queues (no fiber attached). */
    static final Object WAKE = new Object() {
        @Override
        public String toString() {
            return "WAKE";
        }
    };

    static final int AWAKE = 0, WAITING = 1, CLAIMED = 2;
    private static final long INDEX_MASK = 0xFFFFL;
    private static final int VERSION_SHIFT = 16;
    /** Most workers (core + spare) the stack can index. */
    static final int MAX_WORKERS = (int) INDEX_MASK - 1;

    /** One worker's words. */
    private static final class Sleeper {
        volatile int claim;              // AWAKE / WAITING / CLAIMED, see the class comment
        volatile Object handoff;         // a Fiber or WAKE: written by the claimer after its CAS, taken by the worker
        volatile boolean inStack;        // set by the worker before its push, cleared by a popper before its claim CAS
        volatile int next;               // stack link (index + 1), written by the worker before its push CAS
    }

    private final Host host;
    private final Sleeper[] sleepers;    // immutable; index = worker index
    private volatile long stack;         // version << 16 | top index + 1 (0: empty); CAS only
    private volatile int searching;      // search tokens out; xadd / CAS
    private volatile int pollToken;      // 1 while a worker owns the poll; CAS 0 -> 1, its owner clears it
    private volatile int pollingWorker = -1;   // the worker in the poll, or -1; written by that worker

    Idle(int workers, Host host) {
        this.host = host;
        this.sleepers = new Sleeper[workers];
        for (int i = 0; i < workers; i++) {
            sleepers[i] = new Sleeper();
        }
    }

    // ================================================================== worker transitions

    /** Worker {@code w} found no work: it waits (claimable) from now on; it then looks at every queue once more. */
    void toIdle(int w) {
        Sleeper s = sleepers[w];
        s.claim = WAITING;
        if (!s.inStack) {                // read after publishing WAITING: see pop's clear before its CAS
            s.inStack = true;
            push(w, s);
        }
    }

    /**
     * Worker {@code w} stops waiting on its own (it found work, retires or exits). False if
     * a notifier claimed it first: then its handoff is coming and it must take it.
     */
    boolean leave(int w) {
        return CLAIM.compareAndSet(sleepers[w], WAITING, AWAKE);
    }

    /** Worker {@code w}: the item a notifier handed it, or null while none has arrived. It is then awake and the searcher. */
    Object takeHandoff(int w) {
        Sleeper s = sleepers[w];
        Object h = s.handoff;
        if (h != null) {
            s.handoff = null;
            s.claim = AWAKE;
        }
        return h;
    }

    /**
     * Worker {@code w}'s carrier died (an error escaped it): {@code w} stops being
     * claimable (a claim would unpark a thread that is gone). Returns the handoff a
     * notifier had given it and it had not taken, or null; with a handoff comes a search
     * token, which the caller gives back ({@link #searchDone}) once it has requeued what it
     * was handed. Called by the dying carrier itself.
     */
    Object evict(int w) {
        Sleeper s = sleepers[w];
        if (CLAIM.compareAndSet(s, WAITING, AWAKE) || s.claim == AWAKE) {
            return null;
        }
        Object h;
        while ((h = s.handoff) == null) {
            Thread.yield();                      // the claimer writes it right after its CAS
        }
        return takeHandoff(w);
    }

    /**
     * The searcher (a worker that took a handoff) gives its token back before it runs what it
     * found; if it found work and more is queued, it passes the search on (Tokio's
     * notify_if_work_pending: at low load a searcher that found its one fiber wakes nobody).
     * A searcher that found nothing goes idle again and looks after registering.
     */
    void searchDone(boolean found) {
        SEARCHING.getAndAdd(this, -1);
        if (found && host.workPending()) {
            workQueued();
        }
    }

    /**
     * Worker {@code w}, waiting, asks to block in the poll instead of parking. False if
     * another worker has the poll, or {@code w} was claimed meanwhile (see the class comment).
     * True: it must call {@link #pollDone} when the poll returns.
     */
    boolean tryPoll(int w) {
        if (pollToken != 0 || !POLL_TOKEN.compareAndSet(this, 0, 1)) {
            return false;
        }
        pollingWorker = w;
        if (sleepers[w].claim == CLAIMED) {    // after publishing pollingWorker: the Dekker pair with claim
            pollDone();
            return false;
        }
        return true;
    }

    /** The polling worker's poll returned. */
    void pollDone() {
        pollingWorker = -1;
        pollToken = 0;
    }

    // ================================================================== submitter transitions

    /**
     * A submitter that is not a worker hands {@code item} (a fiber, or {@link #WAKE}) straight
     * to a waiting worker, which becomes the searcher, if no search token is out. False if a
     * token is out or no worker waits: the caller queues the item and calls
     * {@link #workQueued}, which looks again.
     */
    boolean handOff(Object item) {
        if (!takeToken()) {
            return false;
        }
        if (claimOne(item)) {
            return true;
        }
        SEARCHING.getAndAdd(this, -1);
        return false;
    }

    /**
     * Work was queued: wake one waiting worker to look for it, unless a search token is out
     * (its holder looks again). A claim that met only stale entries gives the token back and
     * then looks again: a submitter that saw the token meanwhile woke nobody (see the class
     * comment); it retries while work is queued and a worker is registered.
     */
    void workQueued() {
        while (isNonEmpty() && takeToken()) {
            if (claimOne(WAKE)) {
                return;
            }
            SEARCHING.getAndAdd(this, -1);       // full fence, then the second look
            if (!host.workPending()) {
                return;
            }
        }
    }

    /** True when some worker (maybe a stale entry) is registered as waiting. */
    boolean isNonEmpty() {
        return (stack & INDEX_MASK) != 0;
    }

    /** Workers waiting now (claimable or claimed and not yet awake). */
    int waiting() {
        int n = 0;
        for (Sleeper s : sleepers) {
            if (s.claim != AWAKE) {
                n++;
            }
        }
        return n;
    }

    /** Search tokens out now. */
    int searching() {
        return searching;
    }

    /** Whether worker {@code w} is claimed and its handoff not yet taken. */
    boolean isClaimed(int w) {
        return sleepers[w].claim == CLAIMED;
    }

    private boolean takeToken() {
        return searching == 0 && SEARCHING.compareAndSet(this, 0, 1);
    }

    /** Pops waiting workers until one is claimed for {@code item}; false if none was waiting. */
    private boolean claimOne(Object item) {
        for (int w; (w = pop()) >= 0; ) {
            Sleeper s = sleepers[w];
            s.inStack = false;                                 // before the CAS: see toIdle
            if (CLAIM.compareAndSet(s, WAITING, CLAIMED)) {
                s.handoff = item;
                if (pollingWorker == w) {                      // after the CAS: see tryPoll
                    host.wakePoller();
                } else {
                    host.unpark(w);
                }
                return true;
            }
        }
        return false;
    }

    // ================================================================== the stack

    private void push(int w, Sleeper s) {
        for (;;) {
            long h = stack;
            s.next = (int) (h & INDEX_MASK);
            if (STACK.compareAndSet(this, h, next(h, w + 1))) {
                return;
            }
        }
    }

    /** The most recently pushed worker's index, or -1 when empty. The version rules out ABA. */
    private int pop() {
        for (;;) {
            long h = stack;
            int top = (int) (h & INDEX_MASK);
            if (top == 0) {
                return -1;
            }
            if (STACK.compareAndSet(this, h, next(h, sleepers[top - 1].next))) {
                return top - 1;
            }
        }
    }

    private static long next(long h, int top) {
        return (((h >>> VERSION_SHIFT) + 1) << VERSION_SHIFT) | top;
    }

    private static final VarHandle STACK = Handles.field(MethodHandles.lookup(), "stack", long.class);
    private static final VarHandle SEARCHING = Handles.field(MethodHandles.lookup(), "searching", int.class);
    private static final VarHandle POLL_TOKEN = Handles.field(MethodHandles.lookup(), "pollToken", int.class);
    private static final VarHandle CLAIM;
    static {
        try {
            CLAIM = MethodHandles.lookup().findVarHandle(Sleeper.class, "claim", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
