package dev.weft.io;

import dev.weft.scheduler.FiberKilledException;
import dev.weft.scheduler.Wait;
import dev.weft.scheduler.Wake;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;

/**
 * A file descriptor registered with a {@link Poller}: its readiness, the threads waiting
 * on it, and its lifetime. Every Weft socket and fd wait is one of these.
 *
 * <h2>Readiness (Tokio's ScheduledIo, on edge-triggered epoll)</h2>
 * The fd is registered once, {@code EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET}. {@code readiness}
 * holds the READ and WRITE bits, their sticky CLOSED twins (hang-up, error: never
 * cleared) and a tick that every poller event advances. I/O is optimistic: an operation tries the system call first when its bit is set. An operation
 * that learns the fd is drained (EAGAIN, or a read that filled less than it asked)
 * clears its bit <em>only if the tick is the one it saw before the call</em>: an edge that
 * arrived during the call has a newer tick, so its bit survives and no readiness is lost.
 * <pre>
 *  operation (reader or writer)               poller (epoll_wait returned an event)
 *  1. t = readiness (bit set: try the call)   1. readiness = (readiness | bits) + TICK
 *  2. call; drained? CAS(t, t & ~bit)         2. read the waiter slot; wake it
 *  3. slot = me; prepareSleep; re-read bit;
 *     sleep unless set
 * </pre>
 * Step 3 and the poller's steps are a Dekker pair (all volatile): the waiter sees the new
 * bit, or the poller sees the waiter and its wake lands on the prepared sleep.
 *
 * <h2>Waiters</h2>
 * One reader and one writer may wait at a time (a second concurrent one gets an
 * IllegalStateException naming the fd). A fiber sleeps with IO_READ or IO_WRITE (plus
 * KILL) in its wakeup word, so the poller's wake is one CAS and one unpark; any other
 * thread parks and is unparked.
 *
 * <h2>Lifetime</h2>
 * {@code uses} counts the operations in progress, with a CLOSED bit. close() sets the bit
 * and wakes both waiters (they throw AsynchronousCloseException); the fd number is
 * released by whichever of close() and the last operation ends last, so no thread ever
 * makes a call on an fd number that the kernel may already have given to someone else.
 */
final class NativeFd {
    static final int READ = 1, WRITE = 2;
    /** Hang-up / error bits: set with READ or WRITE, never cleared (an EOF stays readable). */
    private static final int READ_CLOSED = 4, WRITE_CLOSED = 8;
    private static final long TICK = 1 << 4;
    private static final int CLOSED = 1 << 31;

    final int fd;
    final Poller poller;
    private final boolean owned;                 // close() closes the fd (false for user fds)
    int generation;                              // set by Poller.register (under its monitor) before the fd is in epoll
    private volatile long readiness;             // CAS (READINESS); bits | tick
    private final Direction reading = new Direction(READ), writing = new Direction(WRITE);
    private volatile int uses;                   // CAS (USES): operations in progress | CLOSED

    private NativeFd(int fd, Poller poller, boolean owned, int assumed) {
        this.fd = fd;
        this.poller = poller;
        this.owned = owned;
        this.readiness = assumed;
    }

    /**
     * Registers {@code fd} with its poller. On failure an owned fd is closed, so nothing leaks.
     *
     * @param owned whether {@link #close()} closes the fd itself
     * @param assumed the readiness bits assumed before the first event: READ|WRITE for
     *        optimistic I/O (the call tells), 0 for pure waits (epoll reports the current
     *        state as the registration's first edge)
     */
    static NativeFd register(int fd, boolean owned, int assumed) throws IOException {
        Poller p = Pollers.forFd(fd);
        NativeFd f = new NativeFd(fd, p, owned, assumed);
        try {
            p.register(f);
        } catch (IOException | RuntimeException e) {
            if (owned) {
                Syscalls.close(fd);
            }
            throw e;
        }
        return f;
    }

    // ---- poller side ----

    /** An epoll event for this fd: raise its bits, wake the waiters they concern. */
    void onEvent(int events) {
        int bits = 0;
        if ((events & Linux.EPOLLIN) != 0) {
            bits |= READ;
        }
        if ((events & (Linux.EPOLLRDHUP | Linux.EPOLLHUP | Linux.EPOLLERR)) != 0) {
            bits |= READ | READ_CLOSED;
        }
        if ((events & Linux.EPOLLOUT) != 0) {
            bits |= WRITE;
        }
        if ((events & (Linux.EPOLLHUP | Linux.EPOLLERR)) != 0) {
            bits |= WRITE | WRITE_CLOSED;
        }
        long w;
        do {
            w = readiness;
        } while (!READINESS.compareAndSet(this, w, (w | bits) + TICK));
        if ((bits & READ) != 0) {
            reading.wakeWaiter();
        }
        if ((bits & WRITE) != 0) {
            writing.wakeWaiter();
        }
    }

    // ---- operation side ----

    /**
     * Runs {@code c} until it succeeds, waiting for readiness between tries: the one loop
     * behind every Weft read, write and accept. Optimistic: the call is tried first while
     * the bit is set; EAGAIN (or a result that {@link IoCall#drains drains}) clears the bit
     * as of the tick seen before the call.
     *
     * @param buf heap memory for the call, or null to use native memory at {@code address}
     * @param deadline a {@link System#nanoTime()} value after which a wait ends with
     *        SocketTimeoutException, or {@link Long#MAX_VALUE} for none
     * @return the call's non-negative result
     * @throws IOException the call's errno as an exception, or see {@link #await}
     */
    long io(IoCall c, MemorySegment buf, long address, long len, long deadline) throws IOException {
        begin();
        try {
            for (;;) {
                long seen = readiness;
                if ((seen & readyMask(c.bit)) != 0) {
                    long r = c.call(fd, buf, address, len);
                    if (r >= 0) {
                        if (c.drains(r, len)) {
                            drained(seen, c.bit);
                        }
                        return r;
                    }
                    if (r != -Errno.EAGAIN) {
                        if (r == -Errno.EINTR) {
                            continue;
                        }
                        throw Errno.exception(c.op, fd, (int) -r);
                    }
                    drained(seen, c.bit);
                }
                await(c.bit, deadline, 0);
            }
        } finally {
            end();
        }
    }

    /** The readiness word to pass to {@link #drained} after a call; read before the call. */
    long observe() {
        return readiness;
    }

    /** The call found the fd drained for {@code bit}: clear it unless an edge came since {@code seen}. */
    void drained(long seen, int bit) {
        if ((seen & bit) != 0) {
            READINESS.compareAndSet(this, seen, seen & ~bit);
        }
    }

    /**
     * What makes {@code bit} (READ or WRITE) ready: the bit itself, which a drained call
     * clears, or its closed bit, which stays. A read that returns the last bytes before an
     * EOF is short and clears READ, while the FIN's edge has already been spent: without
     * the sticky bit the next read would wait for an edge that never comes (Tokio's
     * READ_CLOSED).
     */
    private static int readyMask(int bit) {
        return bit == READ ? READ | READ_CLOSED : WRITE | WRITE_CLOSED;
    }

    /** Waits until {@code bit} (READ or WRITE) is set, without deadline; see {@link #await(int, long, int)}. */
    void await(int bit) throws IOException {
        await(bit, Long.MAX_VALUE, 0);
    }

    /**
     * Waits until {@code bit} (READ or WRITE) is set, the deadline passes, or (on a fiber)
     * one of {@code alsoAccept}'s wake reasons is raised. Caller holds a use ({@link #begin}).
     *
     * @param deadline a {@link System#nanoTime()} value, or {@link Long#MAX_VALUE} for none
     *        (on a fiber, the deadline is served by Weft's timers)
     * @param alsoAccept further {@link Wake} reasons that end the wait (0 for none; fibers
     *        only), for example {@link Wake#IFC}: the calls are run before it returns
     * @return 0 when the fd is ready, else the {@code alsoAccept} reasons that ended it
     * @throws SocketTimeoutException if the deadline passed first
     * @throws AsynchronousCloseException if the fd is closed meanwhile
     * @throws FiberKilledException if the waiting fiber is killed
     * @throws InterruptedIOException if the thread is interrupted (status kept)
     * @throws IllegalStateException if another thread already waits for the same bit
     */
    int await(int bit, long deadline, int alsoAccept) throws IOException {
        Direction d = bit == READ ? reading : writing;
        d.enter();
        int other;
        try {
            other = Wait.awaitIo(d, d.reason, alsoAccept, deadline);
        } finally {
            d.leave();
        }
        if ((uses & CLOSED) != 0) {
            throw new AsynchronousCloseException();
        }
        return other;
    }

    /**
     * One direction of the fd (reading or writing): its one waiter slot, and the condition
     * that waiter waits for (the direction's readiness, or the fd closed). The slot is the
     * waiter's half of the Dekker pair with {@link #onEvent}: the waiter publishes itself and
     * then tests readiness (in its {@link Wait}); the poller raises readiness and then reads
     * the slot.
     */
    private final class Direction implements Wait.Until {
        final int bit;
        final int reason;                        // the wake reason of this direction
        private volatile Object waiter;          // Wait.self() of the one waiter, or null; CAS by waiters, read by the poller

        Direction(int bit) {
            this.bit = bit;
            this.reason = bit == READ ? Wake.IO_READ : Wake.IO_WRITE;
        }

        void enter() {
            if (!WAITER.compareAndSet(this, null, Wait.self())) {
                throw new IllegalStateException("fd " + fd + ": another thread is already waiting to "
                        + (bit == READ ? "read" : "write"));
            }
        }

        void leave() {
            waiter = null;
        }

        void wakeWaiter() {
            Wait.wake(waiter, reason);
        }

        @Override
        public boolean done() {
            return (readiness & readyMask(bit)) != 0 || (uses & CLOSED) != 0;
        }

        @Override
        public String toString() {
            return "fd " + fd + " to be " + (bit == READ ? "readable" : "writable");
        }
    }

    // ---- lifetime ----

    /** Starts an operation: the fd number stays valid until {@link #end()}. */
    void begin() throws ClosedChannelException {
        for (;;) {
            int u = uses;
            if ((u & CLOSED) != 0) {
                throw new ClosedChannelException();
            }
            if (USES.compareAndSet(this, u, u + 1)) {
                return;
            }
        }
    }

    /** Ends an operation; the last one after close() releases the fd. */
    void end() {
        if ((int) USES.getAndAdd(this, -1) == (CLOSED | 1)) {
            release();
        }
    }

    boolean isClosed() {
        return (uses & CLOSED) != 0;
    }

    /** Closes: waiting operations throw AsynchronousCloseException. Idempotent. */
    void close() {
        int u;
        do {
            u = uses;
            if ((u & CLOSED) != 0) {
                return;
            }
        } while (!USES.compareAndSet(this, u, u | CLOSED));
        reading.wakeWaiter();
        writing.wakeWaiter();
        if (u == 0) {
            release();
        }
    }

    /** No operation is in progress and none can start: give the fd number back. */
    private void release() {
        poller.deregister(this, !owned);
        if (owned) {
            Syscalls.close(fd);
        }
    }

    @Override
    public String toString() {
        return "fd " + fd;
    }

    private static final VarHandle READINESS, WAITER, USES;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            READINESS = l.findVarHandle(NativeFd.class, "readiness", long.class);
            WAITER = l.findVarHandle(Direction.class, "waiter", Object.class);
            USES = l.findVarHandle(NativeFd.class, "uses", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
