package dev.weft.ifc;

import dev.weft.scheduler.FiberKilledException;

/**
 * A non-reentrant mutual-exclusion lock for fibers: a {@link FiberSemaphore} of one
 * permit plus its owner, so it inherits the semaphore's two modes (unlock wakes the
 * longest waiter to compete with newcomers; once a waiter has lost for about 1 ms,
 * unlock hands ownership straight to the longest waiter, FIFO) and its kill and
 * interrupt rules.
 *
 * <p>{@link #lock()} ignores interrupts (keeping the status) and throws
 * {@link FiberKilledException} if the fiber is killed while waiting;
 * {@link #lockInterruptibly()} also ends on interrupt. Timed locking arrives with the
 * timers module.
 */
public final class FiberMutex {
    private final FiberSemaphore permit = new FiberSemaphore(1);
    private volatile Thread owner;    // written by the owner after acquiring / before releasing

    /**
     * Acquires the lock; if it is held, queues FIFO behind earlier waiters.
     *
     * @throws IllegalStateException if the caller already holds it (not reentrant)
     * @throws FiberKilledException if the calling fiber is killed while waiting
     */
    public void lock() {
        checkNotHeld();
        permit.acquire();
        owner = Thread.currentThread();
    }

    /**
     * Like {@link #lock()}, but an interrupt ends the wait.
     *
     * @throws InterruptedException if interrupted before or while waiting
     */
    public void lockInterruptibly() throws InterruptedException {
        checkNotHeld();
        permit.acquireInterruptibly();
        owner = Thread.currentThread();
    }

    /** Re-acquires for a returning {@link FiberCondition#await()}: ends on nothing but the lock. */
    void relock() {
        permit.acquireUnkillably();
        owner = Thread.currentThread();
    }

    /**
     * Acquires the lock, waiting at most {@code timeout} (FIFO, as {@link #lock()}); zero
     * or negative only tries. On a fiber the deadline is served by Weft's timer fiber
     * (weft-timers on the class path).
     *
     * @return true if acquired, false if the time ran out first
     * @throws InterruptedException if interrupted before or while waiting
     * @throws IllegalStateException if the caller already holds it (not reentrant)
     * @throws FiberKilledException if the calling fiber is killed while waiting
     */
    public boolean tryLock(java.time.Duration timeout) throws InterruptedException {
        checkNotHeld();
        if (permit.tryAcquire(timeout)) {
            owner = Thread.currentThread();
            return true;
        }
        return false;
    }

    /** A new condition bound to this mutex. */
    public FiberCondition newCondition() {
        return new FiberCondition(this);
    }

    /** Acquires the lock if it is free now. Never waits. */
    public boolean tryLock() {
        checkNotHeld();
        if (permit.tryAcquire()) {
            owner = Thread.currentThread();
            return true;
        }
        return false;
    }

    /**
     * Releases the lock, waking the longest waiter if any (or, in hand-off mode, giving
     * the lock to it).
     *
     * @throws IllegalMonitorStateException if the caller does not hold it
     */
    public void unlock() {
        Thread me = Thread.currentThread();
        if (owner != me) {
            throw new IllegalMonitorStateException(me + " cannot unlock " + this + ": held by " + owner);
        }
        owner = null;
        permit.release();
    }

    /** True if some thread holds the lock now. */
    public boolean isLocked() {
        return owner != null || permit.availablePermits() == 0;
    }

    /** True if the caller holds the lock. */
    public boolean isHeldByCurrentThread() {
        return owner == Thread.currentThread();
    }

    /** Waiters queued now. */
    public int queueLength() {
        return permit.queueLength();
    }

    private void checkNotHeld() {
        if (owner == Thread.currentThread()) {
            throw new IllegalStateException(Thread.currentThread() + " already holds " + this + " (not reentrant)");
        }
    }

    @Override
    public String toString() {
        return "FiberMutex[owner=" + owner + ", waiters=" + permit.queueLength() + "]";
    }
}
