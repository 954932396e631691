package dev.weft.io;

import dev.weft.scheduler.IdlePoller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Go's netpoll for Weft: {@code WeftScheduler.builder().idlePoller(NetPoll.idlePoller())}
 * makes a worker that runs out of work block in epoll_wait on the poller's epoll set
 * instead of parking, and run the fibers the events make ready itself. At low load that
 * removes the poller thread's hop (a futex wake and a futex wait per event): one echoed
 * message costs an epoll_wait, a read and a write.
 *
 * <p>Actors: the one polling worker of the attached scheduler ({@link #poll}, one at a
 * time: the scheduler's poll token), notifiers that want that worker ({@link #wakeup},
 * any thread), and the pollers' own threads, which stand back while a scheduler is
 * attached and only poll when no worker has for a while (see {@code Poller.backstop}).
 *
 * <p>Wake-up: an eventfd, level-triggered in the epoll set the worker blocks on, so every
 * epoll_wait on that set sees it until the worker drains it (a backstop poll of the same
 * set cannot consume it). {@code wakePending} makes concurrent wakeups cost one write:
 * <pre>
 *  waker:  CAS wakePending false -> true, then write(eventfd)
 *  worker: sees the eventfd among its events: read(eventfd), then wakePending = false
 * </pre>
 * So at most one write is outstanding, and the worker's read takes exactly that one: the
 * flag is set from the winning CAS until after the read. A waker whose CAS fails is inside
 * that span: its write is coming (the poll in progress returns when it lands) or was read
 * by the poll that is returning now; either way the poll it wanted ends. A waker after the
 * clear writes again, and the next poll returns at once. (Clearing before the read lost
 * every later wake-up: a write that landed between the clear and the read was consumed
 * with the first, leaving the flag set over an empty eventfd.)
 *
 * <p>With more than one poller the worker blocks on a private epoll set holding each
 * poller's epoll fd (level-triggered) and the eventfd, then polls the ready pollers
 * without blocking. One scheduler at a time can be attached: two polling workers of
 * different schedulers would take each other's wake-ups.
 */
public final class NetPoll implements IdlePoller {
    private static final NetPoll INSTANCE = new NetPoll();
    private static volatile NetPoll attachedInstance;   // written under INSTANCE's monitor

    private final Poller[] pollers = Pollers.all();
    private final int wakeFd;
    private final int blockFd;                         // the single poller's epfd, or a private epoll set
    private final MemorySegment events;                // the polling worker's only (one at a time)
    private final MemorySegment word;                  // the polling worker's only: eventfd drain buffer
    private final MemorySegment one;                   // 1L, for wake writes; never written after init
    private String scheduler;                          // guarded by this
    private volatile boolean wakePending;              // CAS false -> true by wakers; cleared by the worker
    private volatile boolean blocked;                  // the worker is in (or entering) epoll_wait
    private volatile long polls;                       // polls started; the backstop compares

    private NetPoll() {
        Arena arena = Arena.ofAuto();
        events = arena.allocate((long) Linux.EPOLL_EVENT_SIZE * 1024, 8);
        word = arena.allocate(ValueLayout.JAVA_LONG);
        one = arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        try {
            wakeFd = (int) Errno.check(Syscalls.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC), "eventfd", -1);
            blockFd = pollers.length == 1 ? pollers[0].epfd() : privateSet();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up Weft's netpoll", e);
        }
    }

    private int privateSet() throws IOException {
        int ep = (int) Errno.check(Syscalls.epollCreate1(Linux.EPOLL_CLOEXEC), "epoll_create1", -1);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ev = a.allocate(16, 8);
            for (int i = 0; i < pollers.length; i++) {
                ctlAdd(ep, pollers[i].epfd(), i, ev);
            }
            ctlAdd(ep, wakeFd, -1, ev);
        }
        return ep;
    }

    private static void ctlAdd(int ep, int fd, int data, MemorySegment ev) throws IOException {
        Linux.setEpollEvent(ev, Linux.EPOLLIN, data, 0);
        Errno.check(Syscalls.epollCtl(ep, Linux.EPOLL_CTL_ADD, fd, ev), "epoll_ctl(ADD)", fd);
    }

    /** The idle poller to give {@code WeftScheduler.Builder.idlePoller}; one scheduler at a time. */
    public static IdlePoller idlePoller() {
        return INSTANCE;
    }

    /** The attached instance, or null: the pollers' threads stand back while there is one. */
    static NetPoll attached() {
        return attachedInstance;
    }

    @Override
    public synchronized void attach(String name) {
        if (scheduler != null) {
            throw new IllegalStateException("NetPoll already serves scheduler " + scheduler
                    + "; one scheduler at a time can poll (cannot attach " + name + ")");
        }
        if (pollers.length == 1) {
            try {
                pollers[0].epollAdd(wakeFd, Linux.EPOLLIN, 0);   // level-triggered: see the class comment
            } catch (IOException e) {
                throw new UncheckedIOException("cannot attach NetPoll to " + name, e);
            }
        }
        scheduler = name;
        attachedInstance = this;
        for (Poller p : pollers) {
            p.nudge();                                   // out of its epoll_wait(-1), into backstop
        }
    }

    @Override
    public synchronized void detach(String name) {
        if (!name.equals(scheduler)) {
            return;
        }
        scheduler = null;
        attachedInstance = null;
        if (pollers.length == 1) {
            pollers[0].epollDelete(wakeFd);
        }
        Syscalls.read(wakeFd, word, 8);                  // a wake-up nobody drained, then the flag: as in poll()
        wakePending = false;
    }

    @Override
    public void poll() {
        POLLS.getAndAdd(this, 1L);
        blocked = true;
        boolean woken;
        try {
            woken = pollers.length == 1 ? pollers[0].pollBlocking(events, wakeFd) : pollEach();
        } finally {
            blocked = false;
        }
        if (woken) {
            Syscalls.read(wakeFd, word, 8);
            wakePending = false;                         // after the read: see the class comment
        }
    }

    /** Blocks on the private set, then polls each ready poller; true if the eventfd was ready. */
    private boolean pollEach() {
        int n = Syscalls.epollWait(blockFd, events, pollers.length + 1, -1);
        boolean woken = false;
        for (int i = 0; i < n; i++) {
            int data = events.get(ValueLayout.JAVA_INT_UNALIGNED,
                    (long) i * Linux.EPOLL_EVENT_SIZE + Linux.EPOLL_EVENT_DATA_OFFSET);
            if (data < 0) {
                woken = true;
            } else {
                pollers[data].pollNow();
            }
        }
        return woken;
    }

    @Override
    public void wakeup() {
        if (!wakePending && WAKE_PENDING.compareAndSet(this, false, true)) {
            Syscalls.write(wakeFd, one, 8);
        }
    }

    boolean isBlocked() {
        return blocked;
    }

    long polls() {
        return polls;
    }

    private static final VarHandle WAKE_PENDING;
    private static final VarHandle POLLS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WAKE_PENDING = l.findVarHandle(NetPoll.class, "wakePending", boolean.class);
            POLLS = l.findVarHandle(NetPoll.class, "polls", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
