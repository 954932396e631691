package dev.weft.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A Linux timerfd on Weft's poller, on the clock of {@link System#nanoTime()}
 * (CLOCK_MONOTONIC): one expiry at a time, set as an absolute deadline, awaited like any
 * fd. {@link #setExpiry} makes a system call only when the expiry changes, so a timer
 * service that re-arms only when its earliest deadline changes pays nothing otherwise.
 *
 * <p>One owner: a single thread (or fiber) sets, awaits and closes it.
 */
public final class TimerFd implements Alarm {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int fd;
    private final NativeFd nfd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment spec;          // struct itimerspec: interval {0, 0}, value {sec, nsec}
    private final MemorySegment count;         // the expiry count a read returns
    private long expiry = Long.MAX_VALUE;      // owner only: the armed deadline, MAX_VALUE when disarmed
    private long settimeCalls;                 // owner writes (opaque), anyone reads

    private TimerFd(int fd) throws IOException {
        this.fd = fd;
        this.spec = arena.allocate(32, 8);
        this.count = arena.allocate(ValueLayout.JAVA_LONG);
        this.nfd = NativeFd.register(fd, true, 0);
    }

    /**
     * A new, disarmed timer.
     *
     * @throws ErrnoException if the kernel refuses one (EMFILE, ...)
     */
    public static TimerFd open() throws IOException {
        int fd = (int) Errno.check(Syscalls.timerfdCreate(Linux.CLOCK_MONOTONIC,
                Linux.TFD_NONBLOCK | Linux.TFD_CLOEXEC), "timerfd_create", -1);
        try {
            return new TimerFd(fd);
        } catch (IOException | RuntimeException e) {
            Syscalls.close(fd);
            throw e;
        }
    }

    /**
     * Arms the timer for {@code deadlineNanos} (a {@link System#nanoTime()} value; one in
     * the past expires at once), or disarms it with {@link Long#MAX_VALUE}. No system call
     * when it is already set so.
     */
    @Override
    public void setExpiry(long deadlineNanos) throws IOException {
        if (deadlineNanos == expiry) {
            return;
        }
        long d = deadlineNanos == Long.MAX_VALUE ? 0 : Math.max(deadlineNanos, 1);   // 0 would disarm
        spec.set(ValueLayout.JAVA_LONG, 0, 0L);
        spec.set(ValueLayout.JAVA_LONG, 8, 0L);
        spec.set(ValueLayout.JAVA_LONG, 16, d / NANOS_PER_SECOND);
        spec.set(ValueLayout.JAVA_LONG, 24, d % NANOS_PER_SECOND);
        Errno.check(Syscalls.timerfdSettime(fd, Linux.TFD_TIMER_ABSTIME, spec), "timerfd_settime", fd);
        expiry = deadlineNanos;
        SETTIME_CALLS.setOpaque(this, settimeCalls + 1);
    }

    /** The armed deadline, {@link Long#MAX_VALUE} when disarmed. */
    public long expiry() {
        return expiry;
    }

    /**
     * Waits until the timer expires, or, on a fiber, until one of {@code alsoAccept}'s
     * wake reasons is raised ({@link dev.weft.scheduler.Wake#IFC}: the calls run first).
     *
     * @return 0 when it expired (the expiry is consumed and the timer is disarmed), else
     *         the {@code alsoAccept} reasons that ended the wait
     */
    @Override
    public int await(int alsoAccept) throws IOException {
        nfd.begin();
        try {
            for (;;) {
                long seen = nfd.observe();
                if ((seen & NativeFd.READ) != 0) {
                    long r = Syscalls.read(fd, count, 8);
                    if (r == 8) {
                        expiry = Long.MAX_VALUE;
                        return 0;
                    }
                    if (r != -Errno.EAGAIN && r != -Errno.EINTR) {
                        throw Errno.exception("read", fd, (int) -r);
                    }
                    nfd.drained(seen, NativeFd.READ);
                }
                int other = nfd.await(NativeFd.READ, Long.MAX_VALUE, alsoAccept);
                if (other != 0) {
                    return other;
                }
            }
        } finally {
            nfd.end();
        }
    }

    /** How many timerfd_settime calls {@link #setExpiry} made (for the re-arm benchmarks). */
    @Override
    public long armCalls() {
        return (long) SETTIME_CALLS.getOpaque(this);
    }

    /** Closes the timer; a waiter gets AsynchronousCloseException. */
    @Override
    public void close() {
        nfd.close();
        arena.close();
    }

    private static final java.lang.invoke.VarHandle SETTIME_CALLS;
    static {
        try {
            SETTIME_CALLS = java.lang.invoke.MethodHandles.lookup().findVarHandle(TimerFd.class, "settimeCalls", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
