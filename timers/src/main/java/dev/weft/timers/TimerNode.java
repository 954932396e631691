package dev.weft.timers;

import dev.weft.scheduler.FiberCall;

/**
 * Something with a deadline in a {@link TimerFiber}'s heap: a fiber's timeout or a
 * scheduled task.
 *
 * <p>Actors: the owner (the fiber that sleeps, or whoever schedules or cancels a task)
 * says what it wants through {@link #requested()}; the timer fiber owns the heap, the
 * node's slot in it and its key. The owner never touches the heap: when what it wants
 * needs the heap changed now, it posts {@link #update} to the timer fiber (an IFC on the
 * timer fiber's mailbox: one CAS, coalesced while one is pending), and the timer fiber
 * reconciles the heap with the request. Requests that can wait (a later deadline, a
 * cancel of a fiber timeout) are left for the node to meet when it surfaces.
 */
abstract class TimerNode {
    /** No deadline: not in the heap / nothing requested. */
    static final long NONE = Long.MAX_VALUE;

    final TimerFiber timers;
    private final FiberCall update = new FiberCall(this::reconcile);

    int heapIndex = -1;                 // timer fiber only: the slot, -1 when not in the heap
    volatile long heapKey = NONE;       // written by the timer fiber (TimerHeap) whenever the key changes; read by owners

    TimerNode(TimerFiber timers) {
        this.timers = timers;
    }

    /** The deadline the owner wants now, or {@link #NONE}. Read by the timer fiber. */
    abstract long requested();

    /** The timer fiber popped this node: its key is not after {@code now}. */
    abstract void expire(long now);

    /** The timer fiber ended with this node in its heap: it will never expire. */
    abstract void abandon();

    /**
     * Owner: have the timer fiber reconcile the heap with {@link #requested()} soon. It is
     * woken only if the requested deadline is earlier than the one its timerfd is set to;
     * otherwise it finds the update when it wakes for that one (see
     * {@link TimerFiber#post}).
     */
    final void requestUpdate() {
        timers.post(update, requested());
    }

    /** Timer fiber: the heap follows the request. */
    final void reconcile() {
        timers.heap.set(this, requested());
    }
}
