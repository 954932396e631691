package dev.weft.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scheduler for JDK virtual threads: a pool of carrier workers serving per-priority
 * FIFO lanes, with direct hand-off of external submissions to an idle worker when none
 * is already searching.
 *
 * <h2>Overview</h2>
 * <b>Actors:</b> submitters (any thread whose action makes a fiber runnable: a thread
 * starting it, a fiber unparking it, the JDK's unparker or poller threads, the carrier
 * after a yield); {@link Worker}s (each on its {@link WorkerThread}); the
 * {@link Watchdog}; the optional threads serving {@link BoundLane}s.
 *
 * <p><b>A start.</b> The JDK calls the {@link Route.Shared} of the builder or factory
 * with the new thread's continuation. {@link #start} makes the thread's {@link Fiber},
 * rebinds the thread's scheduler to it ({@link CarrierHook#bind}), counts it live and
 * submits it. From then on the JDK submits the thread to its Fiber.
 *
 * <p><b>A submission</b> ({@link #submit}) goes, by who makes it:
 * <ul>
 * <li>a fiber running on one of our workers → that worker's slot (it runs next there);</li>
 * <li>the worker's carrier itself (after a yield) → that worker's local queue;</li>
 * <li>anyone else → if no worker is searching, an idle worker directly ({@link Idle}'s
 *     hand-off: claim the most recently idle worker, hand the fiber over, unpark exactly
 *     that worker, which becomes the searcher); else the shared lane of its priority, for
 *     the searcher to find.</li>
 * </ul>
 * Work queued locally while some worker idles wakes one searcher (never more than one
 * at a time: the Go/Tokio throttle), which steals.
 *
 * <p><b>Run states:</b> RUNNING → SHUTDOWN (starts rejected) → TERMINATING (no live
 * fiber left: workers told to exit) → TERMINATED (every carrier thread gone).
 *
 * <p>The submission entry points never block and never run a task inline: the
 * JDK calls them from pinned virtual threads, carriers, and its own poller, unparker and
 * unblocker threads. The only lock on those paths is a {@link LiveFibers} stripe at a
 * fiber's start and exit, held for a few pointer writes.
 */
public final class WeftScheduler implements AutoCloseable {
    private static final int RUNNING = 0, SHUTDOWN = 1, TERMINATING = 2, TERMINATED = 3;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger(WeftScheduler.class.getName());

    private final String name;
    final Lanes lanes = new Lanes();
    final Worker[] workers;                     // immutable array: cores first, then spare slots
    final int coreWorkers;
    final Idle idle;
    private final LiveFibers live = new LiveFibers();
    private final Route.Shared[] routes;        // index = priority
    private final List<BoundLane> boundLanes = new CopyOnWriteArrayList<>();
    private final List<Fiber> services = new CopyOnWriteArrayList<>();   // live service fibers
    private final Watchdog watchdog;
    private final SchedulerMXBeanImpl mxBean;
    final long spareKeepAliveNanos;
    final IdlePoller idlePoller;                // null, or what an idle worker waits on instead of parking

    private volatile int runState;              // CAS forward only (RUN_STATE)
    private final AtomicInteger carriers = new AtomicInteger();    // worker threads alive
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final java.util.function.Consumer<Thread> startCarrier;   // how carrier threads are started (Builder)
    private volatile long lastRefusalLog;       // nanoTime of the last refused-carrier log, 0: none (rate limit)
    private final AtomicLong workersReplaced = new AtomicLong();
    private final AtomicLong sparesAdded = new AtomicLong();
    private final AtomicLong sparesRetired = new AtomicLong();
    private final AtomicLong taskFailures = new AtomicLong();

    private WeftScheduler(Builder b) {
        CarrierHook.check();
        WeftEvents.register();
        this.name = b.name != null ? b.name : "weft-" + SEQUENCE.incrementAndGet();
        this.coreWorkers = b.workers;
        this.spareKeepAliveNanos = b.spareKeepAlive.toNanos();
        this.idlePoller = b.idlePoller;
        if (idlePoller != null) {
            idlePoller.attach(name);               // may refuse: before anything is started
        }
        this.startCarrier = b.startCarrier;
        this.idle = new Idle(b.workers + b.maxSpares, new IdleHost());
        this.workers = new Worker[b.workers + b.maxSpares];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(this, i, i >= b.workers);
        }
        this.routes = new Route.Shared[Priority.COUNT];
        for (Priority p : Priority.ALL) {
            routes[p.ordinal()] = new Route.Shared(this, p, null);
        }
        this.watchdog = new Watchdog(this, b.starvationBound.toNanos(), b.pinnedThreshold.toNanos());
        try {
            for (int i = 0; i < coreWorkers; i++) {
                startCarrier(workers[i]);
            }
            watchdog.start();
        } catch (Throwable e) {
            abandonConstruction();
            throw e;
        }
        this.mxBean = SchedulerMXBeanImpl.register(this);
        if (CarrierHook.jdkTimedParksOnWeft()) {
            try {
                TimerServices.get().started(this);    // the JDK's timed parks of our fibers need it from now on
            } catch (RuntimeException | Error e) {
                abandonConstruction();                // e.g. no timerfd to be had: fail the build, leave no thread
                throw e;
            }
        }
    }

    /**
     * A carrier, the watchdog or the timer service could not start while the scheduler was
     * being built: end what did start, so the failed build leaves no thread behind. Nobody
     * holds the scheduler yet and no user fiber was started: the carriers that started see TERMINATING
     * and exit (one in the idle poller is woken through it), and the last of them
     * finishes the termination (detaching the poller only then, when no worker can be in
     * its poll); with none started, it is finished here.
     */
    private void abandonConstruction() {
        RUN_STATE.setVolatile(this, TERMINATING);
        for (Worker w : workers) {
            unparkWorker(w.index);
        }
        if (idlePoller != null) {
            idlePoller.wakeup();
        }
        if (carriers.get() == 0) {
            finishTermination();
        }
    }

    /** A builder for a new scheduler. */
    public static Builder builder() {
        return new Builder();
    }

    // ================================================================== public API: threads

    /** A virtual-thread builder whose threads run here at NORMAL priority. */
    public Thread.Builder.OfVirtual ofVirtual() {
        return ofVirtual(Priority.NORMAL);
    }

    /**
     * A virtual-thread builder whose threads run here at {@code priority}. It is the JDK's
     * own builder type: name, inheritInheritableThreadLocals and uncaughtExceptionHandler
     * behave exactly as for {@code Thread.ofVirtual()}.
     */
    public Thread.Builder.OfVirtual ofVirtual(Priority priority) {
        return CarrierHook.newBuilder(routes[Objects.requireNonNull(priority, "priority").ordinal()]);
    }

    /** A factory of unstarted NORMAL-priority virtual threads that run here. */
    public ThreadFactory threadFactory() {
        return threadFactory(Priority.NORMAL);
    }

    /** A factory of unstarted virtual threads that run here at {@code priority}. */
    public ThreadFactory threadFactory(Priority priority) {
        return ofVirtual(priority).factory();
    }

    /** Like {@link Executors#newVirtualThreadPerTaskExecutor()}, on this scheduler at NORMAL priority. */
    public ExecutorService newVirtualThreadPerTaskExecutor() {
        return newVirtualThreadPerTaskExecutor(Priority.NORMAL);
    }

    /** A thread-per-task executor whose threads run here at {@code priority}. */
    public ExecutorService newVirtualThreadPerTaskExecutor(Priority priority) {
        return Executors.newThreadPerTaskExecutor(threadFactory(priority));
    }

    /**
     * A new lane served by exactly one thread, the one that calls {@link BoundLane#run()}:
     * for code that must stay on one thread (a UI loop, a thread-confined library).
     */
    public BoundLane newBoundLane(String laneName) {
        Objects.requireNonNull(laneName, "laneName");
        BoundLane lane = new BoundLane(this, laneName);
        boundLanes.add(lane);
        return lane;
    }

    /**
     * Starts a service fiber: one that serves the others (Weft's timer fiber is one) and
     * must not keep the scheduler alive. After {@link #shutdown()}, once every other fiber
     * has exited, service fibers are {@linkplain Fiber#kill() killed}; their body must then
     * return. A service may start after shutdown while other fibers still run. Its children
     * are ordinary fibers.
     *
     * @return the service fiber's control block
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is terminating
     */
    public Fiber startService(String serviceName, Runnable body) {
        Objects.requireNonNull(serviceName, "serviceName");
        Objects.requireNonNull(body, "body");
        Fiber[] made = new Fiber[1];
        Thread t = CarrierHook.newBuilder(continuation -> made[0] = start(continuation, Priority.HIGH, null, true))
                .name(serviceName).unstarted(body);
        t.start();
        return made[0];
    }

    /** This scheduler's name (threads, MXBean, JFR events use it). */
    public String name() {
        return name;
    }

    /** The number of core workers (spares come on top while carriers are pinned). */
    public int workers() {
        return coreWorkers;
    }

    /** A snapshot of the counters; cheap enough to poll, not exact under load. */
    public WeftStats stats() {
        return WeftStats.of(this);
    }

    // ================================================================== public API: lifecycle

    /** Rejects new starts from now on; live fibers run to the end. Idempotent. */
    public void shutdown() {
        advanceRunState(SHUTDOWN);
        tryTerminate();
    }

    /**
     * Shuts down and interrupts every live fiber but the services: those (the timer fiber)
     * go on serving the interrupted fibers' last waits (a drain, a back-off, a socket
     * timeout) and end, as after {@link #shutdown()}, once no other fiber is left.
     *
     * @return the threads that were interrupted
     */
    public List<Thread> shutdownNow() {
        shutdown();
        List<Thread> threads = live.userThreads();
        threads.forEach(Thread::interrupt);
        return threads;
    }

    /** True after {@link #shutdown()}. */
    public boolean isShutdown() {
        return runState >= SHUTDOWN;
    }

    /** True once shut down, every fiber exited, every carrier thread ended and the MXBean is gone. */
    public boolean isTerminated() {
        return terminated.getCount() == 0;     // counted down last, after the clean-up
    }

    /** Waits for termination after a shutdown; true if it terminated in time. */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    /**
     * Shuts down and waits until every live fiber has exited and the workers are gone.
     * If interrupted while waiting, interrupts the fibers ({@link #shutdownNow()}), keeps
     * waiting, and restores the interrupt status, as {@link ExecutorService#close()} does.
     *
     * @throws IllegalStateException if called from one of this scheduler's own fibers,
     *         which would wait for itself
     */
    @Override
    public void close() {
        Fiber self = Fiber.current();
        if (self != null && self.scheduler == this) {
            throw new IllegalStateException("close() called from " + self.thread
                    + ", a fiber of scheduler " + name + ": it would wait for itself");
        }
        shutdown();
        boolean interrupted = false;
        while (!isTerminated()) {
            try {
                terminated.await();
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "WeftScheduler[" + name + ", workers=" + coreWorkers + ", " + RUN_STATE_NAMES[runState] + "]";
    }

    private static final String[] RUN_STATE_NAMES = {"running", "shutdown", "terminating", "terminated"};

    // ================================================================== starts and submissions

    /** Adopts a virtual thread being started through a route of this scheduler. */
    void start(Runnable continuation, Priority priority, BoundLane bound) {
        start(continuation, priority, bound, false);
    }

    private Fiber start(Runnable continuation, Priority priority, BoundLane bound, boolean service) {
        if (!CarrierHook.isContinuation(continuation)) {
            throw new IllegalArgumentException("a Weft route takes virtual-thread continuations only, got "
                    + continuation.getClass().getName());
        }
        Thread thread = CarrierHook.threadOf(continuation);
        Fiber f = new Fiber(this, thread, continuation, priority, bound, service);
        admit(f);
        CarrierHook.bind(thread, f);
        submit(f);
        return f;
    }

    private void admit(Fiber f) {
        live.add(f);
        if (f.service) {
            services.add(f);                     // after live.add: see tryTerminate
        }
        if (f.bound != null) {
            f.bound.fiberStarted();
        }
        // Pairs with shutdown(): runState is written before its live count is read, and
        // the fiber is counted before runState is read here, so a start racing a shutdown
        // is either rejected or counted. A service may start after shutdown while the
        // fibers it serves run; if they are all gone, tryTerminate ends it at once.
        if (f.service && runState == SHUTDOWN) {
            tryTerminate();
            return;
        }
        if (runState != RUNNING || (f.bound != null && f.bound.isClosed())) {
            forget(f);
            tryTerminate();
            throw new RejectedExecutionException("cannot start " + f.thread + ": scheduler " + name
                    + (f.bound != null && f.bound.isClosed() ? " lane " + f.bound.name() + " is closed"
                                                              : " is shut down"));
        }
    }

    /** Makes {@code f} runnable. Never blocks. */
    void submit(Fiber f) {
        if (runState >= TERMINATING) {
            throw new RejectedExecutionException("scheduler " + name + " has terminated; cannot resume " + f.thread);
        }
        if (f.bound != null) {
            f.bound.offer(f);
            return;
        }
        int p = f.routePriority().ordinal();
        Thread carrier = CarrierHook.currentCarrier();
        if (carrier instanceof WorkerThread wt && wt.worker.scheduler == this) {
            if (Thread.currentThread() != carrier) {
                wt.worker.pushSlot(f);        // woken by the fiber running on this worker
            } else {
                wt.worker.pushLocal(f, p);    // re-queued by the carrier itself: yield
            }
        } else {
            submitExternal(f, p);
        }
    }

    /**
     * From a thread that is not one of our workers. When no worker is searching, hand
     * {@code f} straight to an idle worker, which becomes the searcher; otherwise queue it
     * in its lane and leave it to the searcher (the Go/Tokio throttle: one woken worker
     * at a time, each one that finds work wakes the next). Measured against handing
     * every submission to its own idle worker: see DESIGN, "Hand-off and throttle". Why
     * nothing is stranded: {@link Idle}.
     */
    private void submitExternal(Fiber f, int p) {
        if (idle.handOff(f)) {
            return;
        }
        lanes.offer(f, p);
        idle.workQueued();
    }

    /**
     * Whether queued work is visible that another worker could take (Tokio's
     * notify_if_work_pending): a searcher that found its one fiber wakes no one for nothing.
     * Without this, every hand-off at low load woke a second worker that found nothing and
     * parked again: two futex calls per message on a one-connection echo.
     */
    boolean workPending() {
        for (int p = 0; p < Priority.COUNT; p++) {
            if (!lanes.isEmpty(p)) {
                return true;
            }
            for (Worker w : workers) {
                if (w != null && w.hasLocal(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void unparkWorker(int w) {
        WorkerThread t = workers[w].thread;
        if (t != null) {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
    }

    /** What the idle protocol asks of this scheduler. */
    private final class IdleHost implements Idle.Host {
        @Override
        public boolean workPending() {
            return WeftScheduler.this.workPending();
        }

        @Override
        public void unpark(int w) {
            unparkWorker(w);
        }

        @Override
        public void wakePoller() {
            idlePoller.wakeup();
        }
    }

    /** Runs one slice of {@code f} on the calling carrier; notes the fiber's exit. */
    void runSlice(Fiber f) {
        try {
            f.continuation.run();
        } catch (VirtualMachineError e) {
            throw e;                           // the carrier dies; workerThreadEnded replaces it
        } catch (Throwable t) {
            taskFailures.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "scheduler " + name + ": continuation of " + f.thread + " threw", t);
        }
        if (!f.thread.isAlive() && f.markExited()) {
            exited(f);
        }
    }

    private void exited(Fiber f) {
        f.closeCalls();
        f.closeTimeout();
        forget(f);
        if (runState == SHUTDOWN) {
            tryTerminate();
        }
    }

    private void forget(Fiber f) {
        if (f.service) {
            services.remove(f);                  // before live.remove: see tryTerminate
        }
        live.remove(f);
        if (f.bound != null) {
            f.bound.fiberExited();
        }
    }

    // ================================================================== workers

    /**
     * Starts a carrier for {@code w}, counted; a thread that does not start is not counted.
     * Returns false, starting nothing, once the scheduler is terminating: the count is
     * raised before the run state is read, and tryTerminate moves the state before it reads
     * the count (both full fences), so either this sees TERMINATING or tryTerminate sees
     * the carrier, which then exits and finishes the termination itself.
     */
    private boolean startCarrier(Worker w) {
        carriers.incrementAndGet();
        if (runState >= TERMINATING) {
            carrierGone();
            return false;
        }
        try {
            w.startThread(name + "-worker-" + w.index, startCarrier);
        } catch (Throwable e) {
            carrierGone();
            throw e;
        }
        return true;
    }

    /**
     * Watchdog: start a carrier for a worker that has none: a dormant spare, to take over
     * from pinned carriers, or a core worker whose thread could not be replaced before (it
     * left the idle protocol and its slot when its carrier died; its local queues are
     * served by stealers meanwhile). False if none is left, the scheduler is terminating,
     * or the thread did not start (logged; the worker stays without one).
     */
    boolean addCarrier(boolean spare) {
        for (Worker w : workers) {
            if (w.spare == spare && w.thread == null) {
                try {
                    if (!startCarrier(w)) {
                        return false;
                    }
                } catch (Throwable e) {
                    refused("cannot start a carrier for worker " + w.index + "; the watchdog retries", e);
                    return false;
                }
                if (spare) {
                    sparesAdded.incrementAndGet();
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Logs a carrier the platform refused: the first of a run of refusals with its cause,
     * then at most once a second (the watchdog retries every tick).
     */
    private void refused(String what, Throwable cause) {
        long now = System.nanoTime();
        long last = lastRefusalLog;
        if (last == 0 || now - last >= 1_000_000_000L) {
            lastRefusalLog = now == 0 ? 1 : now;
            LOG.log(System.Logger.Level.ERROR, "scheduler " + name + ": " + what, cause);
        }
    }

    void spareRetired(Worker w) {
        sparesRetired.incrementAndGet();
        WeftEvents.spareRetired(name, w.index);
    }

    /**
     * A carrier thread ended: replace it if it died, else count it out. A replacement that
     * does not start is counted out too (logged): the watchdog retries it later.
     */
    void workerThreadEnded(Worker w, WorkerThread t, Throwable death) {
        if (death != null) {
            w.abandon();
        }
        if (death != null && runState < TERMINATING) {
            workersReplaced.incrementAndGet();
            WeftEvents.workerReplaced(name, w.index, death);
            LOG.log(System.Logger.Level.ERROR, "scheduler " + name + ": carrier " + t.getName()
                    + " died; starting a replacement", death);
            try {
                w.startThread(name + "-worker-" + w.index, startCarrier);   // keeps t's count
                return;
            } catch (Throwable e) {
                refused("cannot replace carrier " + t.getName() + "; the watchdog retries", e);
                carrierGone();
                return;
            }
        }
        w.threadEnded(t);                          // its last act: the watchdog may start a new thread from now on
        carrierGone();
    }

    private void carrierGone() {
        if (carriers.decrementAndGet() == 0 && runState == TERMINATING) {
            finishTermination();
        }
    }

    boolean isTerminating() {
        return runState >= TERMINATING;
    }

    // ================================================================== termination

    /**
     * After shutdown: when only service fibers are left, kill them (they exit on kill);
     * when no fiber is left, terminate. "Only services" is read as services, live count,
     * services again, all equal: services are added after their live count and removed
     * before it, and nothing else starts after shutdown, so a service exiting during the
     * live count changes the second read rather than passing for a missing regular fiber.
     */
    private void tryTerminate() {
        if (runState != SHUTDOWN) {
            return;
        }
        int s = services.size();
        long n = live.count();
        if (n != 0 && n == s && services.size() == s) {
            services.forEach(Fiber::kill);
        }
        if (n == 0 && RUN_STATE.compareAndSet(this, SHUTDOWN, TERMINATING)) {
            for (Worker w : workers) {
                unparkWorker(w.index);
            }
            boundLanes.forEach(BoundLane::wakeServer);
            if (idlePoller != null) {
                idlePoller.wakeup();               // a worker blocked in poll() sees the state
            }
            if (carriers.get() == 0) {
                finishTermination();
            }
        }
    }

    private void finishTermination() {
        if (RUN_STATE.compareAndSet(this, TERMINATING, TERMINATED)) {
            watchdog.stop();
            if (mxBean != null) {
                mxBean.unregister();               // null while the constructor abandons its build
            }
            if (idlePoller != null) {
                idlePoller.detach(name);
            }
            terminated.countDown();
        }
    }

    private void advanceRunState(int target) {
        int s;
        while ((s = runState) < target && !RUN_STATE.compareAndSet(this, s, target)) {
            Thread.onSpinWait();
        }
    }

    // ================================================================== observation

    long liveFibers() {
        return live.count();
    }

    int carriersAlive() {
        return carriers.get();
    }

    long workersReplaced() {
        return workersReplaced.get();
    }

    long sparesAdded() {
        return sparesAdded.get();
    }

    long sparesRetired() {
        return sparesRetired.get();
    }

    long taskFailures() {
        return taskFailures.get();
    }

    Watchdog watchdog() {
        return watchdog;
    }

    // ================================================================== builder

    /** Configures a {@link WeftScheduler}. Every value is checked when set. */
    public static final class Builder {
        private String name;
        private int workers = Runtime.getRuntime().availableProcessors();
        private int maxSpares = Math.max(4, Runtime.getRuntime().availableProcessors());
        private Duration starvationBound = Duration.ofMillis(50);
        private Duration pinnedThreshold = Duration.ofMillis(20);
        private Duration spareKeepAlive = Duration.ofSeconds(1);
        private IdlePoller idlePoller;
        private java.util.function.Consumer<Thread> startCarrier = Thread::start;

        private Builder() { }

        /**
         * How carrier threads are started (default {@link Thread#start()}): the one point where
         * the platform may refuse a thread ("unable to create native thread"). Package-private:
         * the scheduler's tests make it fail to check that a refused carrier leaves the
         * scheduler consistent and closable.
         */
        Builder startCarriersWith(java.util.function.Consumer<Thread> start) {
            this.startCarrier = Objects.requireNonNull(start, "start");
            return this;
        }

        /** Name of the scheduler, its threads and its MXBean (default "weft-N"). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Core carrier workers, started eagerly (default: available processors). */
        public Builder workers(int workers) {
            this.workers = inRange("workers", workers, 1);
            return this;
        }

        /** Most spare workers added while carriers are pinned (default max(4, processors)); 0 disables. */
        public Builder maxSpares(int maxSpares) {
            this.maxSpares = inRange("maxSpares", maxSpares, 0);
            return this;
        }

        /**
         * How long queued work of a priority may go without any of it being served before
         * one item of it is served ahead of higher priorities (default 50 ms).
         */
        public Builder starvationBound(Duration bound) {
            this.starvationBound = positive("starvationBound", bound);
            return this;
        }

        /** How long one fiber may hold a carrier before the watchdog adds a spare (default 20 ms). */
        public Builder pinnedThreshold(Duration threshold) {
            this.pinnedThreshold = positive("pinnedThreshold", threshold);
            return this;
        }

        /** How long a spare worker stays idle before it retires (default 1 s). */
        public Builder spareKeepAlive(Duration keepAlive) {
            this.spareKeepAlive = positive("spareKeepAlive", keepAlive);
            return this;
        }

        /**
         * What an idle worker waits on instead of parking (Go's netpoll), for example
         * {@code dev.weft.io.NetPoll.idlePoller()}: one idle worker at a time blocks in its
         * {@link IdlePoller#poll()} and runs the fibers the events make ready itself.
         */
        public Builder idlePoller(IdlePoller poller) {
            this.idlePoller = java.util.Objects.requireNonNull(poller, "poller");
            return this;
        }

        /**
         * Starts the workers and returns the scheduler.
         *
         * @throws IllegalStateException if the JVM lacks {@value CarrierHook#ADD_OPENS_FLAG},
         *         or the idle poller refuses this scheduler
         */
        public WeftScheduler build() {
            return new WeftScheduler(this);
        }

        private static int inRange(String what, int value, int min) {
            int max = Idle.MAX_WORKERS / 2;   // cores and spares share the idle stack's index space
            if (value < min || value > max) {
                throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "], got " + value);
            }
            return value;
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            if (d.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException(what + " must be at most one day, got " + d);
            }
            return d;
        }
    }

    private static final VarHandle RUN_STATE = Handles.field(MethodHandles.lookup(), "runState", int.class);
}
