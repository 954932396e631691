package dev.weft.scheduler;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The one place where Weft reaches into {@code java.lang}: everything else goes
 * through this class.
 *
 * <p>JDK 25 has no public scheduler API for virtual threads. What it has:
 * <ul>
 * <li>{@code ThreadBuilders.VirtualThreadBuilder(Executor)}, a package-private
 *     constructor that makes a {@link Thread.Builder.OfVirtual} whose threads submit
 *     their continuation ({@code VirtualThread.runContinuation}, one Runnable object
 *     per thread, the same object on every submission) to that executor;</li>
 * <li>{@code VirtualThread.scheduler}, the final field holding that executor. A
 *     virtual thread created without a scheduler inherits its parent's. Weft rebinds
 *     it once per thread, at start and before anything can read it concurrently, so
 *     that every Weft thread owns its control block (see {@link Fiber});</li>
 * <li>{@code Thread.currentCarrierThread()}, an intrinsic that tells a submission
 *     made on a worker (even from a mounted virtual thread) from an external one.</li>
 * </ul>
 * All of them need {@code --add-opens java.base/java.lang=ALL-UNNAMED}; without it
 * {@link #check()} fails naming the flag.
 *
 * <p>It also starts the JDK's own socket poller from a platform thread, once: its
 * sub-pollers are virtual threads that inherit the scheduler of whichever thread
 * first does socket I/O, and they must not land on Weft.
 */
final class CarrierHook {
    /** The JVM flag Weft's hooks need. */
    static final String ADD_OPENS_FLAG = "--add-opens java.base/java.lang=ALL-UNNAMED";

    private static final MethodHandle NEW_BUILDER;          // (Executor)OfVirtual
    private static final MethodHandle CURRENT_CARRIER;      // ()Thread
    private static final VarHandle SCHEDULER;               // VirtualThread.scheduler, read
    private static final MethodHandle BIND;                 // (Thread, Executor)void: VirtualThread.scheduler = ...
    private static final VarHandle CONTINUATION;            // VirtualThread.runContinuation
    private static final Class<?> CONTINUATION_CLASS;       // the class of every runContinuation
    private static final VarHandle CONTINUATION_THREAD;     // runContinuation -> its VirtualThread
    private static final Throwable FAILURE;                 // why the hooks are unusable, or null

    static {
        MethodHandle newBuilder = null, currentCarrier = null;
        VarHandle scheduler = null, continuation = null, continuationThread = null;
        MethodHandle bind = null;
        Class<?> continuationClass = null;
        Throwable failure = null;
        try {
            MethodHandles.Lookup self = MethodHandles.lookup();
            Class<?> vtClass = Class.forName("java.lang.VirtualThread");
            Class<?> builderClass = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            MethodHandles.Lookup inLang = MethodHandles.privateLookupIn(vtClass, self);
            newBuilder = MethodHandles.privateLookupIn(builderClass, self)
                    .findConstructor(builderClass, MethodType.methodType(void.class, Executor.class))
                    .asType(MethodType.methodType(Thread.Builder.OfVirtual.class, Executor.class));
            currentCarrier = inLang.findStatic(Thread.class, "currentCarrierThread",
                    MethodType.methodType(Thread.class));
            scheduler = inLang.findVarHandle(vtClass, "scheduler", Executor.class);
            continuation = inLang.findVarHandle(vtClass, "runContinuation", Runnable.class);
            Field schedulerField = vtClass.getDeclaredField("scheduler");
            schedulerField.setAccessible(true);   // a setter for a final field needs the accessible flag
            bind = inLang.unreflectSetter(schedulerField)
                    .asType(MethodType.methodType(void.class, Thread.class, Executor.class));
            // Learn the continuation's class and its captured-thread field from a sample thread.
            Executor inline = Runnable::run;
            Thread.Builder.OfVirtual sampleBuilder = (Thread.Builder.OfVirtual) newBuilder.invokeExact(inline);
            Thread sample = sampleBuilder.unstarted(() -> { });
            Runnable cont = (Runnable) continuation.get(sample);
            continuationClass = cont.getClass();
            Field captured = findThreadField(continuationClass, vtClass);
            continuationThread = MethodHandles.privateLookupIn(continuationClass, self)
                    .findVarHandle(continuationClass, captured.getName(), captured.getType());
        } catch (Throwable t) {
            failure = t;
        }
        NEW_BUILDER = newBuilder;
        CURRENT_CARRIER = currentCarrier;
        SCHEDULER = scheduler;
        BIND = bind;
        CONTINUATION = continuation;
        CONTINUATION_CLASS = continuationClass;
        CONTINUATION_THREAD = continuationThread;
        FAILURE = failure;
    }

    private CarrierHook() { }

    private static Field findThreadField(Class<?> lambdaClass, Class<?> vtClass) {
        for (Field f : lambdaClass.getDeclaredFields()) {
            if (f.getType() == vtClass) {
                return f;
            }
        }
        throw new IllegalStateException("unexpected JDK: " + lambdaClass + " captures no VirtualThread");
    }

    /**
     * Fails with a message naming the missing JVM flag (or the JDK incompatibility),
     * and starts the JDK socket poller off Weft. Called by every scheduler's constructor.
     */
    static void check() {
        if (!Thread.class.getModule().isOpen("java.lang", CarrierHook.class.getModule())) {
            throw new IllegalStateException("Weft needs the JVM flag " + ADD_OPENS_FLAG
                    + " to install its scheduler for virtual threads; add it to the java command line"
                    + " (and --enable-native-access=ALL-UNNAMED for Weft's native I/O)");
        }
        if (FAILURE != null) {
            throw new IllegalStateException("Weft cannot hook into this JDK's virtual threads ("
                    + Runtime.version() + "; Weft needs JDK 25): " + FAILURE, FAILURE);
        }
        startJdkPoller();
        installJdkSocketWaits();
        installJdkTimedParks();
    }

    /** A new JDK virtual-thread builder whose threads submit to {@code executor}. */
    static Thread.Builder.OfVirtual newBuilder(Executor executor) {
        try {
            return (Thread.Builder.OfVirtual) NEW_BUILDER.invokeExact(executor);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot create a virtual thread builder", t);
        }
    }

    /** The platform thread carrying the caller (the caller itself when it is a platform thread). */
    static Thread currentCarrier() {
        try {
            return (Thread) CURRENT_CARRIER.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The executor a virtual thread submits to: for a Weft thread, its {@link Fiber}. */
    static Object schedulerOf(Thread virtualThread) {
        return SCHEDULER.get(virtualThread);
    }

    /** True when {@code task} is a virtual thread's continuation. */
    static boolean isContinuation(Runnable task) {
        return task.getClass() == CONTINUATION_CLASS;
    }

    /** The virtual thread whose continuation {@code task} is ({@link #isContinuation} must hold). */
    static Thread threadOf(Runnable continuation) {
        return (Thread) CONTINUATION_THREAD.get(continuation);
    }

    /** The continuation of a virtual thread. */
    static Runnable continuationOf(Thread virtualThread) {
        return (Runnable) CONTINUATION.get(virtualThread);
    }

    /**
     * Makes {@code fiber} the scheduler of {@code thread}. Called exactly once per thread,
     * from its start submission: the thread has not run, and no other thread submits it
     * before that submission returns, so nothing reads the field concurrently. The queue
     * the fiber is then published through orders this write before the thread's first run.
     */
    static void bind(Thread thread, Fiber fiber) {
        try {
            BIND.invokeExact(thread, (Executor) fiber);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot bind a virtual thread to Weft", t);
        }
    }

    private static volatile boolean jdkTimedParksInstalled; // written under CarrierHook.class

    /** Whether the JDK's timed parks of Weft fibers go to Weft's timers in this JVM. */
    static boolean jdkTimedParksOnWeft() {
        return jdkTimedParksInstalled;
    }

    /**
     * Once per JVM: replaces each element of {@code VirtualThread.DelayedTaskSchedulers
     * .INSTANCE} (a static final array: its elements are plain array slots) with a
     * {@link JdkTimedParks} around it, unless turned off or no timer service is present.
     */
    private static synchronized void installJdkTimedParks() {
        if (jdkTimedParksInstalled || !JdkTimedParks.wanted()) {
            return;
        }
        try {
            Class<?> holder = Class.forName("java.lang.VirtualThread$DelayedTaskSchedulers");
            VarHandle instance = MethodHandles.privateLookupIn(holder, MethodHandles.lookup())
                    .findStaticVarHandle(holder, "INSTANCE", ScheduledExecutorService[].class);
            ScheduledExecutorService[] executors = (ScheduledExecutorService[]) instance.get();
            for (int i = 0; i < executors.length; i++) {
                if (!(executors[i] instanceof JdkTimedParks)) {
                    executors[i] = new JdkTimedParks(executors[i]);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("Weft cannot take over the JDK's timed parks on this JDK (" + Runtime.version()
                    + "); run with -D" + JdkTimedParks.PROPERTY + "=jdk to leave them to the JDK", e);
        }
        jdkTimedParksInstalled = true;
    }

    private static boolean jdkSocketWaitsInstalled; // guarded by CarrierHook.class

    /**
     * Once per JVM, after the JDK's poller started: hands the JDK's socket waits of Weft
     * fibers to the {@link JdkSocketService} on the class path, if any. One that fails
     * (a missing flag) fails this scheduler's build and is tried again by the next.
     */
    private static synchronized void installJdkSocketWaits() {
        if (jdkSocketWaitsInstalled) {
            return;
        }
        java.util.ServiceLoader.load(JdkSocketService.class, JdkSocketService.class.getClassLoader())
                .findFirst().ifPresent(JdkSocketService::install);
        jdkSocketWaitsInstalled = true;
    }

    private static boolean jdkPollerStarted; // guarded by CarrierHook.class

    /**
     * Initialises {@code sun.nio.ch.Poller} from a fresh platform thread, once per JVM, so
     * that its sub-poller virtual threads take the JDK's default scheduler whatever thread
     * builds the first Weft scheduler (even a Weft fiber).
     */
    private static synchronized void startJdkPoller() {
        if (jdkPollerStarted) {
            return;
        }
        Thread t = Thread.ofPlatform().name("weft-jdk-poller-init").start(CarrierHook::initJdkPoller);
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        jdkPollerStarted = true;
    }

    private static void initJdkPoller() {
        try {
            Class.forName("sun.nio.ch.Poller", true, null);
        } catch (ClassNotFoundException e) {
            // No JDK poller on this platform: nothing of it can land on Weft.
        }
    }
}
