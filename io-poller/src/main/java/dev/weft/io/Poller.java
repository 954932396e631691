package dev.weft.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One epoll instance and the platform thread that waits on it (the seed: epoll_wait runs
 * off the workers, so a worker never blocks in the kernel for I/O).
 *
 * <p>Actors: registering threads ({@link #register}, {@link #deregister}, under this
 * object's monitor) and the poller thread (reads the fd table, never locks). Each fd is
 * added once, edge-triggered; the event's 64-bit data is the fd number and a registration
 * generation, and the poller maps the number to its {@link NativeFd} through
 * {@code table}. An event of a batch that was read before its fd was released and the
 * number reused carries the old generation and is dropped: a stale hang-up must not mark
 * the new owner closed (its closed bits are sticky).
 *
 * <p>Wake-ups of one epoll_wait batch are lock-free: each is a CAS on the fiber's wakeup
 * word and, for the first reason, one unpark (a lock-free push onto a Weft lane).
 */
final class Poller implements Runnable {
    private static final int MAX_EVENTS = 1024;
    private static final int INTEREST = Linux.EPOLLIN | Linux.EPOLLOUT | Linux.EPOLLRDHUP | Linux.EPOLLET;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(NativeFd[].class);

    private final int epfd;
    private final Arena arena = Arena.ofShared();                // the poller's native memory; freed at exit
    private final MemorySegment events;                          // poller thread only
    private final MemorySegment ctlEvent;                        // guarded by this
    private volatile NativeFd[] table = new NativeFd[1024];     // elements set under this, read by the poller
    private int generations;                                     // guarded by this
    private final int nudgeFd;                                   // eventfd: close() and nudge() write it
    private volatile boolean closing;                            // set by close(), read by the poller thread
    private final Thread thread;
    private final long sliceNanos;                               // the thread's requested time slice, 0: the kernel's
    private final java.util.List<PollerAlarm> alarms = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile long plannedWake = Long.MAX_VALUE;        // the poller thread's next timed wake-up; read by alarm owners

    /** A poller and its started thread, which asks for a time slice of {@code sliceNanos} (0: none; see PollerSlice). */
    Poller(String name, long sliceNanos) throws IOException {
        this.sliceNanos = sliceNanos;
        epfd = (int) Errno.check(Syscalls.epollCreate1(Linux.EPOLL_CLOEXEC), "epoll_create1", -1);
        events = arena.allocate((long) Linux.EPOLL_EVENT_SIZE * MAX_EVENTS, 8);
        ctlEvent = arena.allocate(16, 8);
        nudgeFd = (int) Errno.check(Syscalls.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC), "eventfd", -1);
        epollAdd(nudgeFd, INTEREST, 0);
        thread = Thread.ofPlatform().name(name).daemon().unstarted(this);
        thread.start();
    }

    /** Adds {@code f} to this poller's epoll set (once, edge-triggered). */
    synchronized void register(NativeFd f) throws IOException {
        NativeFd[] t = table;
        if (f.fd >= t.length) {
            t = java.util.Arrays.copyOf(t, Math.max(f.fd + 1, t.length * 2));
            table = t;
        }
        if (closing) {
            throw new IllegalStateException("poller " + thread.getName() + " is closed");
        }
        generations = generations == Integer.MAX_VALUE ? 1 : generations + 1;   // positive: never JdkSocketWaits.TAG
        f.generation = generations;
        SLOT.setRelease(t, f.fd, f);               // before the ctl: the first event may come at once
        try {
            epollAdd(f.fd, INTEREST, f.generation);
        } catch (IOException e) {
            SLOT.setRelease(t, f.fd, null);
            throw e;
        }
    }

    /** Adds {@code fd} to the epoll set; its events carry {@code fd} and {@code generation}. */
    synchronized void epollAdd(int fd, int interest, int generation) throws IOException {
        Linux.setEpollEvent(ctlEvent, interest, fd, generation);
        Errno.check(Syscalls.epollCtl(epfd, Linux.EPOLL_CTL_ADD, fd, ctlEvent), "epoll_ctl(ADD)", fd);
    }

    /** Forgets {@code f}; removes it from the epoll set unless closing the fd will. */
    synchronized void deregister(NativeFd f, boolean fdStaysOpen) {
        NativeFd[] t = table;
        if (f.fd < t.length && t[f.fd] == f) {
            SLOT.setRelease(t, f.fd, null);
        }
        if (fdStaysOpen) {
            epollDelete(f.fd);
        }
    }

    synchronized void epollDelete(int fd) {
        Syscalls.epollCtl(epfd, Linux.EPOLL_CTL_DEL, fd, MemorySegment.NULL);
    }

    int epfd() {
        return epfd;
    }

    /**
     * The poller thread: wait, dispatch, repeat, until {@link #close()}; then it closes the
     * epoll and eventfd fds and frees its memory. The process-wide pollers ({@link Pollers})
     * are daemons that live as long as the JVM.
     */
    @Override
    public void run() {
        PollerSlice.request(sliceNanos);
        try {
            while (!closing) {
                NetPoll worker = NetPoll.attached();
                if (worker != null) {
                    backstop(worker);
                    fireAlarms();
                    continue;
                }
                long wake = planWake();
                if (wake == PLAN_AGAIN) {
                    continue;
                }
                int n = Syscalls.epollWait(epfd, events, MAX_EVENTS, timeoutMillis(wake));
                if (n < 0 && n != -Errno.EINTR) {
                    throw new IllegalStateException(Errno.exception("epoll_wait", epfd, -n));
                }
                if (n > 0) {
                    dispatch(events, n, -1);
                }
                fireAlarms();
            }
        } finally {
            Syscalls.close(nudgeFd);
            Syscalls.close(epfd);
            arena.close();
        }
    }

    /**
     * Ends the poller thread: sets {@code closing}, then makes the eventfd readable, so the
     * thread's epoll_wait returns and its loop test sees the flag (volatile write before the
     * eventfd write; the poller reads the flag after epoll_wait returns). Fds still registered
     * get no more events; their owners close them.
     */
    void close() {
        closing = true;
        java.util.concurrent.locks.LockSupport.unpark(thread);   // in case it is in backstop()
        nudge();
    }

    private static final ThreadLocal<MemorySegment> POLL_EVENTS = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate((long) Linux.EPOLL_EVENT_SIZE * MAX_EVENTS, 8));

    /**
     * While a scheduler's worker polls ({@link NetPoll}), this thread stays out of
     * epoll_wait(-1): two threads blocked on one epoll set would share its events between
     * them. It only covers for the worker (Go's sysmon): after each pause, if no worker is
     * blocked in the poll and none has polled since the last look (every worker busy), it
     * polls once without blocking. The pause starts at {@value #BACKSTOP_MIN_MICROS} µs and
     * doubles up to {@value #BACKSTOP_MAX_MICROS} µs while there is nothing to cover (a
     * worker is polling), so an idle or lightly loaded process is not woken 1,000 times a
     * second; it drops back to the minimum as soon as the backstop finds events itself.
     */
    private void backstop(NetPoll worker) {
        long seen = worker.polls();
        long pause = backstopMicros * 1000L;
        long wake = planWake();
        if (wake == PLAN_AGAIN) {
            return;
        }
        if (wake != Long.MAX_VALUE) {
            pause = Math.max(0, Math.min(pause, wake - System.nanoTime()));
        }
        java.util.concurrent.locks.LockSupport.parkNanos(pause);
        if (!worker.isBlocked() && worker.polls() == seen && pollNow()) {
            backstopMicros = BACKSTOP_MIN_MICROS;
        } else {
            backstopMicros = Math.min(backstopMicros * 2, BACKSTOP_MAX_MICROS);
        }
    }

    private static final int BACKSTOP_MIN_MICROS = 1000, BACKSTOP_MAX_MICROS = 16_000;
    private static final long PLAN_AGAIN = Long.MIN_VALUE;

    /**
     * Publishes the earliest alarm as the planned wake-up, then reads the alarms again: an
     * owner that moved its expiry earlier meanwhile either is seen here (plan again) or
     * reads the new plan and nudges (PollerAlarm.setExpiry: write expiry, read plan).
     */
    private long planWake() {
        long wake = earliestAlarm();
        plannedWake = wake;
        return earliestAlarm() < wake ? PLAN_AGAIN : wake;
    }

    private long earliestAlarm() {
        long min = Long.MAX_VALUE;
        for (PollerAlarm a : alarms) {
            min = Math.min(min, a.expiry());
        }
        return min;
    }

    private static int timeoutMillis(long wake) {
        if (wake == Long.MAX_VALUE) {
            return -1;
        }
        long left = wake - System.nanoTime();
        return left <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
    }

    private void fireAlarms() {
        if (!alarms.isEmpty()) {
            long now = System.nanoTime();
            for (PollerAlarm a : alarms) {
                a.fireIfDue(now);
            }
        }
    }

    void addAlarm(PollerAlarm a) {
        alarms.add(a);
    }

    void removeAlarm(PollerAlarm a) {
        alarms.remove(a);
    }

    long plannedWake() {
        return plannedWake;
    }

    /** An alarm moved earlier than the plan: wake the poller thread wherever it waits. */
    void nudgeForAlarm() {
        nudge();
        java.util.concurrent.locks.LockSupport.unpark(thread);
    }
    private int backstopMicros = BACKSTOP_MIN_MICROS;             // poller thread only

    /** Tells the thread to look at {@link NetPoll#attached()} again (it may be in epoll_wait(-1)). */
    void nudge() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            Syscalls.write(nudgeFd, one, 8);
        }
    }

    /** A non-blocking poll from any thread: dispatches what is ready now; true if anything was. */
    boolean pollNow() {
        MemorySegment ev = POLL_EVENTS.get();
        int n = Syscalls.epollWait(epfd, ev, MAX_EVENTS, 0);
        if (n > 0) {
            dispatch(ev, n, -1);
        }
        return n > 0;
    }

    /**
     * A worker's blocking poll ({@link NetPoll}): waits until something is ready, dispatches
     * it; returns whether {@code wakeFd} (the worker's wake-up eventfd, registered here) was
     * among the events.
     */
    boolean pollBlocking(MemorySegment ev, int wakeFd) {
        int n = Syscalls.epollWait(epfd, ev, MAX_EVENTS, -1);
        return n > 0 && dispatch(ev, n, wakeFd);
    }

    /** Hands each event to its fd; returns whether one was for {@code wakeFd}. */
    private boolean dispatch(MemorySegment events, int n, int wakeFd) {
        boolean woken = false;
        NativeFd[] t = table;
        for (int i = 0; i < n; i++) {
            long at = (long) i * Linux.EPOLL_EVENT_SIZE;
            int ev = events.get(ValueLayout.JAVA_INT_UNALIGNED, at);
            int fd = events.get(ValueLayout.JAVA_INT_UNALIGNED, at + Linux.EPOLL_EVENT_DATA_OFFSET);
            int generation = events.get(ValueLayout.JAVA_INT_UNALIGNED, at + Linux.EPOLL_EVENT_DATA_OFFSET + 4);
            if (generation == JdkSocketWaits.TAG) {
                JdkSocketWaits.onEvent(fd, ev);
                continue;
            }
            if (fd >= t.length) {
                t = table;                         // registered after we read the table
            }
            NativeFd f = fd < t.length ? (NativeFd) SLOT.getAcquire(t, fd) : null;
            if (f == null && t != table) {
                t = table;
                f = fd < t.length ? (NativeFd) SLOT.getAcquire(t, fd) : null;
            }
            if (f != null && f.generation == generation) {
                f.onEvent(ev);
            } else if (fd == wakeFd && generation == 0) {
                woken = true;
            }                                      // else an eventfd, or a released fd's event
        }
        return woken;
    }

    Thread thread() {
        return thread;
    }
}
