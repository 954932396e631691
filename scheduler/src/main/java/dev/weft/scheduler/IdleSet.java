package dev.weft.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The idle workers of one scheduler: a lock-free LIFO stack (the most recently idle
 * worker, whose caches are warmest, is woken first), linked through
 * {@link Worker#idleNext}.
 *
 * <pre>
 *  head (one long):  63                         16 15            0
 *                   +----------------------------+---------------+
 *                   |  version (bumped per CAS)  | top index + 1 |   0 = empty
 *                   +----------------------------+---------------+
 * </pre>
 * The version rules out ABA: a pop that read {@code top.idleNext} before {@code top}
 * was popped and pushed again fails its CAS.
 *
 * <p>Membership is a hint, not a state: a worker that found work after pushing itself
 * stays in the stack as a stale entry (its {@link Worker#state} is no longer IDLE) and
 * the next pop discards it. {@link Worker#inStack} keeps a worker from being pushed
 * twice; the pusher reads it after publishing IDLE and the popper clears it before
 * its state CAS, so one of the two always sees the other (see {@link Worker#awaitWork}).
 */
final class IdleSet {
    private static final long INDEX_MASK = 0xFFFFL;
    private static final int VERSION_SHIFT = 16;
    /** Most workers (core + spare) an idle set can index. */
    static final int MAX_WORKERS = (int) INDEX_MASK - 1;

    private final Worker[] workers;   // immutable; index = Worker.index
    private volatile long head;       // CAS only (casHead)

    IdleSet(Worker[] workers) {
        this.workers = workers;
    }

    void push(Worker w) {
        for (;;) {
            long h = head;
            w.idleNext = (int) (h & INDEX_MASK);
            if (casHead(h, next(h, w.index + 1))) {
                return;
            }
        }
    }

    /** Pops the most recently pushed worker, or null when empty. */
    Worker pop() {
        for (;;) {
            long h = head;
            int top = (int) (h & INDEX_MASK);
            if (top == 0) {
                return null;
            }
            Worker w = workers[top - 1];
            if (casHead(h, next(h, w.idleNext))) {
                return w;
            }
        }
    }

    /** True when some worker (maybe a stale entry) is registered. */
    boolean isNonEmpty() {
        return (head & INDEX_MASK) != 0;
    }

    private static long next(long h, int top) {
        return (((h >>> VERSION_SHIFT) + 1) << VERSION_SHIFT) | top;
    }

    private boolean casHead(long expect, long update) {
        return HEAD.compareAndSet(this, expect, update);
    }

    private static final VarHandle HEAD = Handles.field(MethodHandles.lookup(), "head", long.class);
}
