package dev.weft.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

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
 * <h2>Wakeup word</h2>
 * The seed's "prepare sleep, sleep with acceptable reasons": the fiber declares the
 * reasons that may end its next sleep, checks its condition, then sleeps; a waker raises
 * reasons, and unparks the fiber only when a raised reason is wanted and is the first
 * one raised for this sleep. A waker with an unwanted reason costs one volatile read: no
 * CAS, no unpark, no scheduling, no empty spin of the sleeper.
 * <pre>
 *  wakeWord:  63        48 47                  24 23                   0
 *            +------------+----------------------+----------------------+
 *            |  sequence  |  mask (accepted)     |  raised              |
 *            +------------+----------------------+----------------------+
 * </pre>
 * Mirrored steps (all on the one word, so sequentially consistent):
 * <pre>
 *  sleeper (the fiber only)                    waker (any thread)
 *  1. prepareSleep: word = seq+1 | mask | 0     1. read word; hit = reasons &amp; mask;
 *  2. test its own condition                       hit == 0: return (stale or unwanted)
 *  3. sleep: loop { raised != 0 (or killed     2. CAS raised |= hit on the same word
 *     and killable, or interrupted): swap word  3. if raised was 0: unpark the fiber
 *     to seq | 0 | 0,
 *     return what it held; else park }
 * </pre>
 * A sleep that accepts {@link Wake#IFC} also ends when the mailbox holds calls, and runs
 * them before returning: a sender pushes (CAS) then raises IFC, the sleeper publishes its
 * mask then looks at the mailbox, so a call sent between two sleeps is not stranded.
 * A reason raised between 1 and 3 is in the word when the sleeper looks, so it is never
 * lost; park returns at once if the unpark came first. A reason raised after the swap in
 * 3 finds mask 0 and is dropped: a finished sleep is never woken, and the next one only
 * by reasons raised after its own prepareSleep. The sequence number makes a waker's CAS
 * that read the previous sleep's word fail even when the new sleep has the same mask.
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
    private volatile long wakeWord;   // owner: prepare (store) and finish (swap); wakers: CAS raised bits
    private volatile boolean killed;  // set once by kill()
    private volatile FiberCall calls; // IFC mailbox: LIFO of sent calls (senders CAS, target swaps), CLOSED after exit
    final boolean service;            // a service fiber (WeftScheduler.startService): does not hold up termination
    private TimerService.Timeout timeout; // owner (or the JDK's afterYield on its behalf): made on the first timed wait, reused
    private boolean timed;            // owner only: the current sleep armed the timeout

    // Live-fiber registry links, guarded by the registry stripe's monitor (LiveFibers).
    Fiber prevLive;
    Fiber nextLive;

    Fiber(WeftScheduler scheduler, Thread thread, Runnable continuation, Priority priority, BoundLane bound,
          boolean service) {
        super(scheduler, bound);
        this.thread = thread;
        this.continuation = continuation;
        this.priority = priority;
        this.service = service;
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

    // ---------------------------------------------------------------- wakeup word

    private static final int MASK_SHIFT = 24;
    private static final int SEQ_SHIFT = 48;
    private static final long BITS = (1L << 24) - 1;

    /**
     * Starts a sleep that {@code reasons} (plus {@link Wake#KILL}) may end. Reasons raised
     * before this call are forgotten; reasons raised from now until {@link #sleep()}
     * returns are not lost. Follow it with {@link #sleep()}, or with {@link #cancelSleep()}
     * when the condition already holds. Only the fiber itself may call it. {@link Wait}
     * does all of this for a condition; this is the raw form.
     *
     * @throws IllegalArgumentException if {@code reasons} is empty or names non-Wake bits
     * @throws WrongThreadException if called by another thread than this fiber
     */
    public void prepareSleep(int reasons) {
        prepareSleep(reasons, Long.MAX_VALUE);
    }

    /**
     * Like {@link #prepareSleep(int)}, and the sleep also ends with {@link Wake#TIMEOUT}
     * once {@code System.nanoTime() >= deadlineNanos}. A deadline already passed raises
     * TIMEOUT at once; {@link Long#MAX_VALUE} means none, and then TIMEOUT is not accepted
     * (a stray one cannot end an untimed sleep). See {@link Weft#deadlineAfter} to make one
     * from a timeout. The deadline is served by the {@link TimerService} (weft-timers).
     *
     * @throws IllegalStateException if a deadline is given and no timer service is on the class path
     */
    public void prepareSleep(int reasons, long deadlineNanos) {
        prepare(Wake.check("prepareSleep", reasons) | Wake.KILL, deadlineNanos);
    }

    /**
     * Opens the word for a sleep accepting {@code mask} (KILL only if the mask has it), plus
     * TIMEOUT when there is a deadline. Only the fiber itself.
     */
    void prepare(int mask, long deadlineNanos) {
        checkOwner("prepareSleep");
        if (deadlineNanos != Long.MAX_VALUE) {
            mask |= Wake.TIMEOUT;
        }
        if (mask == 0) {
            throw new IllegalArgumentException("a sleep that nothing can end (no reason, unkillable, no deadline)");
        }
        disarmTimeout();
        long seq = nextSleep();
        long word = seq << SEQ_SHIFT | (long) mask << MASK_SHIFT;
        if (deadlineNanos == Long.MAX_VALUE) {
            WAKE_WORD.setVolatile(this, word);
        } else if (deadlineNanos - System.nanoTime() <= 0) {
            WAKE_WORD.setVolatile(this, word | Wake.TIMEOUT);
        } else {
            if (timeout == null) {
                timeout = TimerServices.get().newTimeout(this);
            }
            WAKE_WORD.setVolatile(this, word);
            timeout.arm((int) seq, deadlineNanos);     // after the word: a prompt fire finds this sleep
            timed = true;
        }
    }

    /**
     * The JDK's timeout of a timed park of this fiber, on Weft's timers instead of the
     * JDK's ScheduledThreadPoolExecutor ({@link JdkTimedParks}): {@code task} runs on the
     * timer fiber at {@code deadlineNanos} unless the returned future (this fiber's one
     * timeout node, reused) is cancelled first. Called on this fiber's carrier by the
     * JDK's afterYield, on the fiber's behalf, while it parks.
     */
    java.util.concurrent.ScheduledFuture<?> scheduleJdkTimeout(Runnable task, long deadlineNanos) {
        if (timeout == null) {
            timeout = TimerServices.get().newTimeout(this);
        }
        return timeout.schedule(task, deadlineNanos);
    }

    /** The sequence number of the sleep being prepared (16 bits, wraps). */
    private long nextSleep() {
        return ((wakeWord >>> SEQ_SHIFT) + 1) & 0xFFFF;
    }

    /** The previous timed sleep ended (or was prepared and never slept): its deadline need not fire. */
    private void disarmTimeout() {
        if (timed) {
            timed = false;
            timeout.disarm();
        }
    }

    /**
     * Parks until a reason accepted by the preceding {@link #prepareSleep} is raised, the
     * fiber is killed (when the sleep accepts KILL), or its thread is interrupted; returns
     * the raised reasons (at least one), with {@link Wake#KILL} if killed and
     * {@link Wake#INTERRUPT} if the interrupt status is set (and left set). Never returns an
     * unaccepted reason; may return several. Closes the sleep.
     *
     * @throws IllegalStateException if no sleep was prepared
     * @throws WrongThreadException if called by another thread than this fiber
     */
    public int sleep() {
        checkOwner("sleep");
        if (mask(wakeWord) == 0) {
            throw new IllegalStateException("sleep() without prepareSleep() on " + thread);
        }
        for (;;) {
            long w = wakeWord;
            boolean callsWaiting = (mask(w) & Wake.IFC) != 0 && calls != null;
            boolean killable = (mask(w) & Wake.KILL) != 0;
            if (raised(w) != 0 || callsWaiting || (killed && killable) || thread.isInterrupted()) {
                int reasons = finishSleep();
                if ((mask(w) & Wake.IFC) != 0 && processCalls() > 0) {
                    reasons |= Wake.IFC;       // a sleep that accepts IFC is a process point
                }
                return reasons;
            }
            LockSupport.park(this);
        }
    }

    /**
     * Abandons the sleep prepared last, without parking: for a waiter whose condition held
     * after {@link #prepareSleep}. Closes the word (a later raise finds no mask and does
     * nothing) and disarms its deadline; returns what was raised meanwhile, as
     * {@link #sleep()} would. Does nothing if no sleep is open.
     *
     * @throws WrongThreadException if called by another thread than this fiber
     */
    public int cancelSleep() {
        checkOwner("cancelSleep");
        return mask(wakeWord) == 0 ? 0 : finishSleep();
    }

    /** Ends the sleep: takes the raised bits and closes the mask in one swap, so none is lost. */
    private int finishSleep() {
        long w = wakeWord;
        long last = (long) WAKE_WORD.getAndSet(this, w & ~(BITS | BITS << MASK_SHIFT));
        int raised = raised(last);
        if (timed && (raised & Wake.TIMEOUT) != 0) {
            timed = false;                         // it fired: nothing to disarm
        }
        disarmTimeout();
        if (killed && (mask(last) & Wake.KILL) != 0) {
            raised |= Wake.KILL;
        }
        if (thread.isInterrupted()) {
            raised |= Wake.INTERRUPT;
        }
        return raised;
    }

    /**
     * Raises {@code reasons} on this fiber. Returns true if at least one of them is accepted
     * by the fiber's current sleep (it will return, if it has not already); false if none
     * is (not sleeping, or not for these reasons): then nothing happened at all.
     *
     * @throws IllegalArgumentException if {@code reasons} is empty or names non-Wake bits
     */
    public boolean wake(int reasons) {
        return raise(-1, Wake.check("wake", reasons));
    }

    /**
     * Like {@link #wake(int)}, but only for sleep number {@code sleep} (as passed to
     * {@link TimerService.Timeout#arm}): a deadline that fires late finds a later sleep and
     * does nothing to it.
     */
    public boolean wakeSleep(int sleep, int reasons) {
        return raise(sleep & 0xFFFF, Wake.check("wakeSleep", reasons));
    }

    /** Raises {@code reasons} on the current sleep, or only on sleep {@code sleep} when it is >= 0. */
    private boolean raise(int sleep, int reasons) {
        for (;;) {
            long w = wakeWord;
            if (sleep >= 0 && (int) (w >>> SEQ_SHIFT) != sleep) {
                return false;                               // another sleep than the one armed
            }
            int hit = reasons & mask(w);
            if (hit == 0) {
                return false;                               // unwanted or stale: one read, nothing else
            }
            int raised = raised(w);
            if ((raised | hit) == raised) {
                return true;                                // already raised: the sleeper was unparked
            }
            if (WAKE_WORD.compareAndSet(this, w, w | hit)) {
                if (raised == 0) {
                    LockSupport.unpark(thread);             // first reason of this sleep: the one unpark
                }
                return true;
            }
        }
    }

    /**
     * Kills the fiber: marks it killed and raises {@link Wake#KILL}. Its current and every
     * later killable Weft wait returns or throws promptly, as each documents; the fiber's
     * code decides how to end. Idempotent. Does not interrupt the thread. An unkillable
     * wait (a condition's re-lock) does not accept KILL and goes on; a fiber that is not in
     * a killable sleep is unparked once, so a loop of plain parks that checks
     * {@link #isKilled()} sees it.
     */
    public void kill() {
        killed = true;
        if (!wake(Wake.KILL)) {
            LockSupport.unpark(thread);   // not in a killable sleep: a raw park loop that checks isKilled() looks again
        }
    }

    /** True once {@link #kill()} was called. */
    public boolean isKilled() {
        return killed;
    }

    private void checkOwner(String what) {
        if (Thread.currentThread() != thread) {
            throw new WrongThreadException(what + " must be called by " + thread + ", not " + Thread.currentThread());
        }
    }

    private static int mask(long w) {
        return (int) ((w >>> MASK_SHIFT) & BITS);
    }

    private static int raised(long w) {
        return (int) (w & BITS);
    }

    // ---------------------------------------------------------------- inter-fiber calls

    /** Mailbox sentinel: the fiber exited; sends fail. */
    private static final FiberCall CLOSED = new FiberCall(() -> { });

    /**
     * Queues {@code call} to run on this fiber (one CAS onto its mailbox, then
     * {@link Wake#IFC} is raised). Calls from one sender run in the order sent. The target
     * runs them at {@link #processCalls()} and inside sleeps that accept IFC; a call still
     * queued when the fiber exits, or sent after, fails with {@link FiberExitedException}.
     *
     * @throws IllegalStateException if {@code call} is still queued or running
     */
    public void call(FiberCall call) {
        call.claim();
        push(call, true);
    }

    /**
     * The coalescing send, for a call whose callback reads the sender's state (a request
     * record): queues {@code call} unless it is queued already; if it is running, it runs
     * once more after it returns. Never throws for a busy call. Returns true if this post
     * queued it. Use {@link #call} when each send must run once.
     */
    public boolean post(FiberCall call) {
        return post(call, true);
    }

    /**
     * Like {@link #post(FiberCall)}, but raises no {@link Wake#IFC}: the call waits in the
     * mailbox for the target's next process point (its next sleep accepting IFC returns at
     * once and runs it). For a sender that knows the target will wake soon anyway — the
     * timer fiber for a deadline no earlier than the one its timerfd is set to — and would
     * otherwise wake it for nothing.
     */
    public boolean postQuietly(FiberCall call) {
        return post(call, false);
    }

    private boolean post(FiberCall call, boolean wake) {
        if (!call.claimOrCoalesce()) {
            return false;
        }
        push(call, wake);
        return true;
    }

    private void push(FiberCall call, boolean wake) {
        for (;;) {
            FiberCall head = calls;
            if (head == CLOSED) {
                call.fail(new FiberExitedException(thread + " exited before the call was sent"));
                return;
            }
            call.next = head;
            if (CALLS.compareAndSet(this, head, call)) {
                if (wake) {
                    wake(Wake.IFC);
                }
                return;
            }
        }
    }

    /**
     * Runs the calls queued to this fiber, oldest first; returns how many ran. A call that
     * throws fails its handle and does not stop the others. After every
     * {@value #CALLS_PER_SLICE} calls the fiber yields its carrier: a burst of 100,000
     * calls (a service fiber's mailbox after 100,000 requests at once) takes tens of
     * milliseconds, and held in one slice it would look pinned to the watchdog (which
     * then starts a spare carrier). Only the fiber itself may call it.
     *
     * @throws WrongThreadException if called by another thread than this fiber
     */
    public int processCalls() {
        checkOwner("processCalls");
        FiberCall taken = (FiberCall) CALLS.getAndSet(this, (FiberCall) null);
        int n = 0;
        for (FiberCall c = reverse(taken); c != null; ) {
            FiberCall next = c.next;
            c.next = null;
            if (c.run()) {
                push(c, false);                // posted while it ran: runs again at the next point
            }
            c = next;
            if (++n % CALLS_PER_SLICE == 0 && c != null) {
                Thread.yield();
            }
        }
        return n;
    }

    private static final int CALLS_PER_SLICE = 1024;

    /** The fiber exited: close the mailbox and fail what is still in it. */
    void closeCalls() {
        FiberCall c = (FiberCall) CALLS.getAndSet(this, CLOSED);
        for (c = reverse(c); c != null; ) {
            FiberCall next = c.next;
            c.next = null;
            c.fail(new FiberExitedException(thread + " exited before running the call"));
            c = next;
        }
    }

    /** The mailbox is a LIFO (one CAS per send); reversing the swapped-out list restores send order. */
    private static FiberCall reverse(FiberCall c) {
        FiberCall prev = null;
        while (c != null) {
            FiberCall next = c.next;
            c.next = prev;
            prev = c;
            c = next;
        }
        return prev;
    }

    /** The fiber exited: its timeout, if it ever had one, is forgotten. */
    void closeTimeout() {
        if (timeout != null) {
            timeout.close();
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
    private static final VarHandle WAKE_WORD = Handles.field(MethodHandles.lookup(), "wakeWord", long.class);
    private static final VarHandle CALLS = Handles.field(MethodHandles.lookup(), "calls", FiberCall.class);
}
