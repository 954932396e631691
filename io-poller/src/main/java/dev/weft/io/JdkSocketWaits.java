package dev.weft.io;

import dev.weft.scheduler.Weft;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntConsumer;

/**
 * The JDK's socket waits of Weft fibers, served by Weft's pollers. A virtual thread whose
 * JDK socket ({@code java.net.Socket}, {@code SocketChannel}, ...) would block registers
 * its fd with {@code sun.nio.ch.Poller} and parks; on a custom scheduler that poller's
 * sub-pollers run on the JDK's default scheduler, so every wake-up crosses from a
 * ForkJoinPool carrier to a Weft worker. Here each of the JDK's read and write pollers
 * is replaced (an element of its arrays, once per JVM) by a {@link JdkPollerClass} that
 * puts a Weft fiber's registration in the epoll set of Weft's poller for that fd: the
 * poller thread, or a NetPoll worker, wakes the fiber directly. Everyone else (virtual
 * threads of the default or another scheduler) stays with the JDK's poller it stood in
 * for; the replacement shares that poller's fd-to-thread map, so a wake-up through either
 * (an event, or {@code stopPoll} when the socket closes) finds every waiter, including
 * those that registered before the swap.
 *
 * <h2>One registration per fd, both directions, one-shot</h2>
 * The JDK's protocol per blocking operation: register (the thread is in the map), park,
 * deregister; a wake-up may be spurious (the JDK retries its I/O). A reader and a writer
 * of one socket may wait at once, and an epoll set holds one registration per fd, so an
 * fd's {@link Fd} keeps the directions that have a waiter ({@code interest}) and arms
 * {@code EPOLLONESHOT} with all of them: register adds its direction and re-arms (MOD;
 * ADD when the fd is new to the set, as after the number was reused); an event takes
 * the directions it makes ready out of {@code interest}, re-arms the rest, and wakes each
 * taken direction's poller; deregister only drops its direction (no system call: a stale
 * bit left armed costs a spurious event, which re-arms what is still wanted). A re-arm
 * that fails wakes every remaining waiter, whose retried I/O meets the error. All of it
 * under the {@code Fd}'s monitor, held for one epoll_ctl at most.
 *
 * <p>Events carry the fd and {@link #TAG} in their data; Weft's {@code Poller} hands them
 * here. Weft's pollers live as long as the JVM, so closing a scheduler strands no wait.
 */
final class JdkSocketWaits {
    private JdkSocketWaits() { }

    /** The generation half of a JDK registration's epoll data: never a NativeFd's (those are positive). */
    static final int TAG = -1;

    /** {@code -Ddev.weft.jdkSockets=weft|jdk}: whether Weft fibers' JDK socket waits move to Weft's pollers. */
    static final String PROPERTY = "dev.weft.jdkSockets";
    static final String ADD_OPENS_FLAG = "--add-opens java.base/sun.nio.ch=ALL-UNNAMED";

    private static final Arena CTL_MEMORY = Arena.ofAuto();   // one 16-byte epoll_event per fd number ever seen
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Fd[].class);
    private static volatile Fd[] fds = new Fd[1024];          // grown, and each slot set once, under JdkSocketWaits.class; read lock-free
    private static boolean installed;                         // guarded by JdkSocketWaits.class
    private static MethodHandle newPoller;                    // guarded by JdkSocketWaits.class: WeftPoller's constructor

    /** The registration state of one fd number in Weft's epoll set. */
    private static final class Fd {
        final int fd;
        final int epfd;
        final MemorySegment ctl = CTL_MEMORY.allocate(16, 8);  // guarded by this
        int interest;                                        // guarded by this: EPOLLIN / EPOLLOUT with a waiter
        IntConsumer reader, writer;                          // guarded by this: the JDK pollers to wake

        Fd(int fd) {
            this.fd = fd;
            this.epfd = Pollers.forFd(fd).epfd();
        }

        /** Arms the one-shot registration with {@code interest}; 0 or the errno. */
        int arm() {
            Linux.setEpollEvent(ctl, interest | Linux.EPOLLONESHOT, fd, TAG);
            int r = Syscalls.epollCtl(epfd, Linux.EPOLL_CTL_MOD, fd, ctl);
            if (r == -Errno.ENOENT) {
                r = Syscalls.epollCtl(epfd, Linux.EPOLL_CTL_ADD, fd, ctl);
            }
            return r < 0 ? -r : 0;
        }
    }

    /** Whether the JDK's socket waits of Weft fibers are to move (the property's default: yes). */
    static boolean wanted() {
        String v = System.getProperty(PROPERTY, "weft");
        return switch (v) {
            case "weft" -> true;
            case "jdk" -> false;
            default -> throw new IllegalArgumentException(PROPERTY + " must be weft or jdk, got " + v);
        };
    }

    /**
     * Once per JVM: stands a {@link JdkPollerClass} in for each of the JDK's read and write
     * pollers. Needs {@value #ADD_OPENS_FLAG}; without it fails naming the flag.
     *
     * @throws IllegalStateException if the flag is missing or this JDK's poller is not the expected one
     */
    static synchronized void install() {
        if (installed) {
            return;
        }
        if (!Object.class.getModule().isOpen("sun.nio.ch", JdkSocketWaits.class.getModule())) {
            throw new IllegalStateException("Weft needs the JVM flag " + ADD_OPENS_FLAG + " to serve the JDK's"
                    + " socket waits of its fibers; add it to the java command line, or run with -D" + PROPERTY
                    + "=jdk to leave them to the JDK's poller");
        }
        try {
            Class<?> poller = Class.forName("sun.nio.ch.Poller", true, null);
            Class<?> pollers = Class.forName("sun.nio.ch.Poller$Pollers", true, null);
            MethodHandles.Lookup inJdk = MethodHandles.privateLookupIn(poller, MethodHandles.lookup());
            if (newPoller == null) {
                newPoller = JdkPollerClass.define(inJdk, poller);   // once: a second define would be a LinkageError
            }
            Object all = inJdk.findStaticVarHandle(poller, "POLLERS", pollers).get();
            MethodHandles.Lookup inPollers = MethodHandles.privateLookupIn(pollers, MethodHandles.lookup());
            Class<?> array = poller.arrayType();
            Field map = poller.getDeclaredField("map");
            map.setAccessible(true);
            Object[] read = (Object[]) inPollers.findVarHandle(pollers, "readPollers", array).get(all);
            Object[] write = (Object[]) inPollers.findVarHandle(pollers, "writePollers", array).get(all);
            Object[] readStandIns = standIns(read, Linux.EPOLLIN, map);
            Object[] writeStandIns = standIns(write, Linux.EPOLLOUT, map);
            publish(read, readStandIns);         // nothing is published unless every stand-in could be built
            publish(write, writeStandIns);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new IllegalStateException("Weft cannot serve the JDK's socket waits on this JDK (" + Runtime.version()
                    + "); run with -D" + PROPERTY + "=jdk to leave them to the JDK's poller", e);
        }
        installed = true;
    }

    /**
     * A stand-in for each JDK poller of {@code jdkPollers}, serving {@code direction} for
     * Weft fibers; each takes its JDK poller's map before anything can see it.
     */
    private static Object[] standIns(Object[] jdkPollers, int direction, Field map)
            throws ReflectiveOperationException {
        MethodHandles.Lookup here = MethodHandles.lookup();
        MethodHandle register = MethodHandles.insertArguments(here.findStatic(JdkSocketWaits.class, "register",
                JdkPollerClass.REGISTER.insertParameterTypes(0, int.class)), 0, direction);
        MethodHandle deregister = MethodHandles.insertArguments(here.findStatic(JdkSocketWaits.class, "deregister",
                JdkPollerClass.DEREGISTER.insertParameterTypes(0, int.class)), 0, direction);
        Object[] ours = new Object[jdkPollers.length];
        for (int i = 0; i < jdkPollers.length; i++) {
            Object jdk = jdkPollers[i];
            try {
                ours[i] = newPoller.invoke(jdk, register, deregister);
            } catch (Throwable t) {
                throw new IllegalStateException("cannot create Weft's stand-in for " + jdk, t);
            }
            map.set(ours[i], map.get(jdk));      // one map: a wake-up through either poller finds every waiter
        }
        return ours;
    }

    /**
     * Stores the stand-ins in the JDK's array. The store is volatile and the JDK reads the
     * element plainly, then the map through it (an address dependency): the map written
     * above after construction (Poller.map is final, set by reflection) is seen with it.
     */
    private static void publish(Object[] jdkPollers, Object[] ours) {
        VarHandle slot = MethodHandles.arrayElementVarHandle(jdkPollers.getClass());
        for (int i = 0; i < ours.length; i++) {
            slot.setVolatile(jdkPollers, i, ours[i]);
        }
    }

    /**
     * The calling thread is about to park until {@code fd} is ready for {@code direction};
     * the JDK has put it in the poller's map. False (the JDK's poller serves it) unless it
     * is a Weft fiber.
     */
    private static boolean register(int direction, IntConsumer poller, int fd) throws IOException {
        if (!Weft.isFiber()) {
            return false;
        }
        Fd f = fd(fd);
        int errno;
        synchronized (f) {
            int before = f.interest;
            if (direction == Linux.EPOLLIN) {
                f.reader = poller;
            } else {
                f.writer = poller;
            }
            f.interest = before | direction;
            errno = f.arm();
            if (errno != 0) {
                f.interest = before;
            }
        }
        if (errno != 0) {
            throw Errno.exception("epoll_ctl", fd, errno);
        }
        return true;
    }

    /** The wait of the calling thread on {@code fd} ended; false unless {@link #register} took it. */
    private static boolean deregister(int direction, int fd) {
        if (!Weft.isFiber()) {
            return false;
        }
        Fd f = fds[fd];
        synchronized (f) {
            f.interest &= ~direction;
        }
        return true;
    }

    /** An event of Weft's epoll set for a JDK registration (poller thread or NetPoll worker). */
    static void onEvent(int fd, int events) {
        Fd f = slot(fds, fd);
        if (f == null) {
            f = slot(fds, fd);                   // the table grew after the first read; still null: never registered here
            if (f == null) {
                return;
            }
        }
        IntConsumer read = null, write = null;
        synchronized (f) {
            int ready = readyDirections(events) & f.interest;
            f.interest &= ~ready;
            if (f.interest != 0 && f.arm() != 0) {
                ready |= f.interest;             // cannot re-arm (the fd is closing): its waiters retry and see why
                f.interest = 0;
            }
            if ((ready & Linux.EPOLLIN) != 0) {
                read = f.reader;
            }
            if ((ready & Linux.EPOLLOUT) != 0) {
                write = f.writer;
            }
        }
        try {
            wake(read, fd);
        } finally {
            wake(write, fd);
        }
    }

    /**
     * Unparks the thread {@code poller}'s map holds for {@code fd}, if any. A spurious
     * wake-up (a stale event, the map shared with the JDK's poller) may reach a virtual
     * thread whose scheduler has shut down and refuses it: nothing that can still run
     * waits there, and the poller's loop must go on.
     */
    private static void wake(IntConsumer poller, int fd) {
        if (poller == null) {
            return;
        }
        try {
            poller.accept(fd);
        } catch (RejectedExecutionException refused) {
            // see above
        }
    }

    private static Fd slot(Fd[] t, int fd) {
        return fd < t.length ? (Fd) SLOT.getAcquire(t, fd) : null;
    }

    private static int readyDirections(int events) {
        int ready = 0;
        if ((events & (Linux.EPOLLIN | Linux.EPOLLRDHUP | Linux.EPOLLHUP | Linux.EPOLLERR)) != 0) {
            ready |= Linux.EPOLLIN;
        }
        if ((events & (Linux.EPOLLOUT | Linux.EPOLLHUP | Linux.EPOLLERR)) != 0) {
            ready |= Linux.EPOLLOUT;
        }
        return ready;
    }

    /** The state of fd number {@code fd}, created on its first registration. */
    private static Fd fd(int fd) {
        Fd f = slot(fds, fd);
        return f != null ? f : create(fd);
    }

    private static synchronized Fd create(int fd) {
        Fd[] t = fds;
        if (fd >= t.length) {
            t = java.util.Arrays.copyOf(t, Math.max(fd + 1, t.length * 2));
            fds = t;
        }
        Fd f = t[fd];
        if (f == null) {
            f = new Fd(fd);
            SLOT.setRelease(t, fd, f);
        }
        return f;
    }
}
