package dev.weft.io;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The Linux system calls Weft makes, as FFM downcalls into libc (the choice and its
 * figures are in DESIGN, "Native layer").
 *
 * <p>Convention: every method returns what the call returned when it succeeded, and
 * {@code -errno} when it failed (the call returned -1); no exception on the hot path, so
 * an EAGAIN costs a compare. {@code errno} is captured by the linker in the same downcall
 * (a per-thread state segment), never read later, where the JVM could have changed it.
 *
 * <p>Calls that cannot block (read, write, send on non-blocking fds, epoll_ctl,
 * epoll_wait with timeout 0) are linked {@code critical} with heap access: no thread
 * state transition, and heap arrays are passed without a copy. Calls that may block
 * (epoll_wait with a timeout, close, connect) are linked plainly, so GC is never held up.
 */
final class Syscalls {
    private Syscalls() { }

    static {
        if (!Syscalls.class.getModule().isNativeAccessEnabled()) {
            throw new IllegalStateException("Weft's io-poller makes native calls: start the JVM with "
                    + "--enable-native-access=ALL-UNNAMED (or the module's name on the module path)");
        }
        if (!"Linux".equals(System.getProperty("os.name"))) {
            throw new UnsupportedOperationException("Weft's io-poller needs Linux (epoll), not "
                    + System.getProperty("os.name"));
        }
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE_LAYOUT.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    /** One errno capture area per thread; a fiber's first system call allocates it. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE_LAYOUT));

    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout P = ValueLayout.ADDRESS;

    private static final MethodHandle READ = link("read", true, FunctionDescriptor.of(L, I, P, L));
    private static final MethodHandle WRITE = link("write", true, FunctionDescriptor.of(L, I, P, L));
    private static final MethodHandle SEND = link("send", true, FunctionDescriptor.of(L, I, P, L, I));
    /** read / send with the buffer as a raw address (a long: the same register in the C ABI), for direct buffers. */
    private static final MethodHandle READ_AT = link("read", true, FunctionDescriptor.of(L, I, L, L));
    private static final MethodHandle SEND_AT = link("send", true, FunctionDescriptor.of(L, I, L, L, I));
    private static final MethodHandle CLOSE = link("close", false, FunctionDescriptor.of(I, I));
    private static final MethodHandle SOCKET = link("socket", true, FunctionDescriptor.of(I, I, I, I));
    private static final MethodHandle BIND = link("bind", true, FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle LISTEN = link("listen", true, FunctionDescriptor.of(I, I, I));
    private static final MethodHandle ACCEPT4 = link("accept4", true, FunctionDescriptor.of(I, I, P, P, I));
    private static final MethodHandle CONNECT = link("connect", false, FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle SETSOCKOPT = link("setsockopt", true, FunctionDescriptor.of(I, I, I, I, P, I));
    private static final MethodHandle GETSOCKOPT = link("getsockopt", true, FunctionDescriptor.of(I, I, I, I, P, P));
    private static final MethodHandle GETSOCKNAME = link("getsockname", true, FunctionDescriptor.of(I, I, P, P));
    private static final MethodHandle GETPEERNAME = link("getpeername", true, FunctionDescriptor.of(I, I, P, P));
    private static final MethodHandle SHUTDOWN = link("shutdown", true, FunctionDescriptor.of(I, I, I));
    private static final MethodHandle EPOLL_CREATE1 = link("epoll_create1", true, FunctionDescriptor.of(I, I));
    private static final MethodHandle EPOLL_CTL = link("epoll_ctl", true, FunctionDescriptor.of(I, I, I, I, P));
    private static final MethodHandle EPOLL_WAIT = link("epoll_wait", false, FunctionDescriptor.of(I, I, P, I, I));
    private static final MethodHandle EPOLL_POLL = link("epoll_wait", true, FunctionDescriptor.of(I, I, P, I, I));
    private static final MethodHandle EVENTFD = link("eventfd", true, FunctionDescriptor.of(I, I, I));
    private static final MethodHandle PIPE2 = link("pipe2", true, FunctionDescriptor.of(I, P, I));
    private static final MethodHandle TIMERFD_CREATE = link("timerfd_create", true, FunctionDescriptor.of(I, I, I));
    private static final MethodHandle TIMERFD_SETTIME = link("timerfd_settime", true, FunctionDescriptor.of(I, I, I, P, P));
    private static final MethodHandle GETPID = link("getpid", true, FunctionDescriptor.of(I));
    private static final MethodHandle SYSCALL2 = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(L, L, I, I),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));

    /** syscall(nr, pid, attr, a, b): sched_getattr(pid, attr, size, flags) and sched_setattr(pid, attr, flags, -). */
    private static final MethodHandle SYSCALL_SCHED = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(L, L, I, P, I, I),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));

    /** Linux x86-64 and aarch64 share the new-syscall numbers (>= 424). */
    private static final long SYS_PIDFD_OPEN = 434;
    /** The older ones differ: x86-64's, else aarch64's (the generic table). */
    private static final long SYS_SCHED_SETATTR = Linux.X86_64 ? 314 : 274;
    private static final long SYS_SCHED_GETATTR = Linux.X86_64 ? 315 : 275;

    private static MethodHandle link(String name, boolean critical, FunctionDescriptor fd) {
        MemorySegment addr = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        Linker.Option capture = Linker.Option.captureCallState("errno");
        return critical
                ? LINKER.downcallHandle(addr, fd, capture, Linker.Option.critical(true))
                : LINKER.downcallHandle(addr, fd, capture);
    }

    /** The calling thread's errno capture area. */
    static MemorySegment state() {
        return STATE.get();
    }

    private static long result(long r, MemorySegment state) {
        return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
    }

    private static int result(int r, MemorySegment state) {
        return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
    }

    private static Error bug(Throwable t) {
        return t instanceof Error e ? e : new AssertionError("downcall failed", t);
    }

    static long read(int fd, MemorySegment buf, long n) {
        MemorySegment st = state();
        try {
            return result((long) READ.invokeExact(st, fd, buf, n), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static long write(int fd, MemorySegment buf, long n) {
        MemorySegment st = state();
        try {
            return result((long) WRITE.invokeExact(st, fd, buf, n), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    /**
     * read(2) into native memory at {@code address}. Taking a long rather than a segment
     * keeps the caller's segment (MemorySegment.ofBuffer) from escaping into the downcall,
     * so the JIT can drop it: no allocation per call.
     */
    static long readAt(int fd, long address, long n) {
        MemorySegment st = state();
        try {
            return result((long) READ_AT.invokeExact(st, fd, address, n), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    /** send(2) from native memory at {@code address}; see {@link #readAt}. */
    static long sendAt(int fd, long address, long n, int flags) {
        MemorySegment st = state();
        try {
            return result((long) SEND_AT.invokeExact(st, fd, address, n, flags), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static long send(int fd, MemorySegment buf, long n, int flags) {
        MemorySegment st = state();
        try {
            return result((long) SEND.invokeExact(st, fd, buf, n, flags), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int close(int fd) {
        MemorySegment st = state();
        try {
            return result((int) CLOSE.invokeExact(st, fd), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int socket(int domain, int type, int protocol) {
        MemorySegment st = state();
        try {
            return result((int) SOCKET.invokeExact(st, domain, type, protocol), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int bind(int fd, MemorySegment addr, int len) {
        MemorySegment st = state();
        try {
            return result((int) BIND.invokeExact(st, fd, addr, len), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int listen(int fd, int backlog) {
        MemorySegment st = state();
        try {
            return result((int) LISTEN.invokeExact(st, fd, backlog), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int accept4(int fd, MemorySegment addr, MemorySegment lenp, int flags) {
        MemorySegment st = state();
        try {
            return result((int) ACCEPT4.invokeExact(st, fd, addr, lenp, flags), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int connect(int fd, MemorySegment addr, int len) {
        MemorySegment st = state();
        try {
            return result((int) CONNECT.invokeExact(st, fd, addr, len), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int setsockopt(int fd, int level, int name, MemorySegment value, int len) {
        MemorySegment st = state();
        try {
            return result((int) SETSOCKOPT.invokeExact(st, fd, level, name, value, len), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment lenp) {
        MemorySegment st = state();
        try {
            return result((int) GETSOCKOPT.invokeExact(st, fd, level, name, value, lenp), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int getsockname(int fd, MemorySegment addr, MemorySegment lenp) {
        MemorySegment st = state();
        try {
            return result((int) GETSOCKNAME.invokeExact(st, fd, addr, lenp), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int getpeername(int fd, MemorySegment addr, MemorySegment lenp) {
        MemorySegment st = state();
        try {
            return result((int) GETPEERNAME.invokeExact(st, fd, addr, lenp), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int shutdown(int fd, int how) {
        MemorySegment st = state();
        try {
            return result((int) SHUTDOWN.invokeExact(st, fd, how), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int epollCreate1(int flags) {
        MemorySegment st = state();
        try {
            return result((int) EPOLL_CREATE1.invokeExact(st, flags), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        MemorySegment st = state();
        try {
            return result((int) EPOLL_CTL.invokeExact(st, epfd, op, fd, event), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    /** epoll_wait that may block: linked non-critical, so it never holds up a safepoint. */
    static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) {
        MemorySegment st = state();
        try {
            int r = timeoutMillis == 0
                    ? (int) EPOLL_POLL.invokeExact(st, epfd, events, max, 0)
                    : (int) EPOLL_WAIT.invokeExact(st, epfd, events, max, timeoutMillis);
            return result(r, st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int timerfdCreate(int clock, int flags) {
        MemorySegment st = state();
        try {
            return result((int) TIMERFD_CREATE.invokeExact(st, clock, flags), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    /** timerfd_settime with a new {@code struct itimerspec} (32 bytes), no old value. */
    static int timerfdSettime(int fd, int flags, MemorySegment spec) {
        MemorySegment st = state();
        try {
            return result((int) TIMERFD_SETTIME.invokeExact(st, fd, flags, spec, MemorySegment.NULL), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int eventfd(int initval, int flags) {
        MemorySegment st = state();
        try {
            return result((int) EVENTFD.invokeExact(st, initval, flags), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    /** pipe2 into {@code fds} (two ints). */
    static int pipe2(MemorySegment fds, int flags) {
        MemorySegment st = state();
        try {
            return result((int) PIPE2.invokeExact(st, fds, flags), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int getpid() {
        MemorySegment st = state();
        try {
            return (int) GETPID.invokeExact(st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    static int pidfdOpen(int pid, int flags) {
        MemorySegment st = state();
        try {
            return (int) result((long) SYSCALL2.invokeExact(st, SYS_PIDFD_OPEN, pid, flags), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    /** sched_getattr(0, attr, size, 0): the calling thread's scheduling attributes into {@code attr}. */
    static int schedGetattr(MemorySegment attr) {
        MemorySegment st = state();
        try {
            return (int) result((long) SYSCALL_SCHED.invokeExact(st, SYS_SCHED_GETATTR, 0, attr, (int) attr.byteSize(), 0), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    /** sched_setattr(0, attr, 0): sets the calling thread's scheduling attributes from {@code attr}. */
    static int schedSetattr(MemorySegment attr) {
        MemorySegment st = state();
        try {
            return (int) result((long) SYSCALL_SCHED.invokeExact(st, SYS_SCHED_SETATTR, 0, attr, 0, 0), st);
        } catch (Throwable t) {
            throw bug(t);
        }
    }
}
