package dev.weft.ifc;

import dev.weft.scheduler.FiberKilledException;
import dev.weft.scheduler.Weft;

/**
 * A condition variable bound to a {@link FiberMutex} ({@link FiberMutex#newCondition()}):
 * await releases the mutex and waits for a signal; signal wakes the longest waiter (FIFO),
 * signalAll every waiter. A waiter returns only when signalled, interrupted, killed or
 * timed out —
 * never spuriously — but, as with any condition, callers re-test their predicate in a loop,
 * since another thread may take the mutex first and change the state.
 *
 * <p>Whatever ends the wait, await returns or throws holding the mutex again, so the
 * usual {@code lock(); try { while (!ready) c.await(); } finally { unlock(); }} holds.
 *
 * <p>Signals are not lost: a waiter is queued (under the queue's monitor) before it
 * releases the mutex, and signal requires the mutex, so a signal after the release finds
 * the waiter queued; a grant that lands before the waiter sleeps is seen by its check.
 */
public final class FiberCondition {
    private final FiberMutex mutex;
    private final WaitQueue queue = new WaitQueue();   // its monitor guards the list

    FiberCondition(FiberMutex mutex) {
        this.mutex = mutex;
    }

    /**
     * Releases the mutex, waits for a signal, and re-acquires the mutex.
     *
     * @throws IllegalMonitorStateException if the caller does not hold the mutex
     * @throws InterruptedException if interrupted before a signal (status cleared)
     * @throws FiberKilledException if the calling fiber is killed before a signal
     */
    public void await() throws InterruptedException {
        if (!await(Long.MAX_VALUE)) {
            throw new AssertionError("await without deadline timed out");
        }
    }

    /**
     * Like {@link #await()}, giving up after {@code timeout} (on a fiber, served by Weft's
     * timer fiber); the mutex is held again on return either way.
     *
     * @return true if signalled, false if the time ran out first
     */
    public boolean await(java.time.Duration timeout) throws InterruptedException {
        return await(Weft.deadlineAfter(timeout));
    }

    private boolean await(long deadline) throws InterruptedException {
        requireHeld("await");
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Waiter w = Waiter.mine();
        synchronized (queue) {
            queue.enqueue(w);
        }
        mutex.unlock();
        int outcome = w.await(true, true, deadline);
        boolean signalled = outcome == Waiter.GRANTED || !withdraw(w);
        mutex.relock();
        if (signalled) {
            return true;
        }
        if (outcome == Waiter.KILLED) {
            throw new FiberKilledException("killed while awaiting " + this);
        }
        if (outcome == Waiter.TIMED_OUT) {
            return false;
        }
        Thread.interrupted();
        throw new InterruptedException();
    }

    /**
     * Wakes the longest waiter, if any.
     *
     * @throws IllegalMonitorStateException if the caller does not hold the mutex
     */
    public void signal() {
        requireHeld("signal");
        synchronized (queue) {
            Waiter w = queue.poll();
            if (w != null) {
                w.grant();
            }
        }
    }

    /**
     * Wakes every waiter.
     *
     * @throws IllegalMonitorStateException if the caller does not hold the mutex
     */
    public void signalAll() {
        requireHeld("signalAll");
        synchronized (queue) {
            for (Waiter w; (w = queue.poll()) != null; ) {
                w.grant();
            }
        }
    }

    /** Waiters queued now. */
    public int waiters() {
        return queue.size();
    }

    private boolean withdraw(Waiter w) {
        synchronized (queue) {
            return !w.granted && queue.remove(w);
        }
    }

    private void requireHeld(String what) {
        if (!mutex.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException(what + " needs " + mutex + " held by " + Thread.currentThread());
        }
    }

    @Override
    public String toString() {
        return "FiberCondition[waiters=" + queue.size() + "]";
    }
}
