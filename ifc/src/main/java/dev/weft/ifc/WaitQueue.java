package dev.weft.ifc;

/**
 * A FIFO of {@link Waiter}s: the seed's fiber wake-up queue. A plain doubly linked list
 * guarded by the monitor of the queue itself, which its user (a semaphore) holds for a
 * few pointer writes; the seed's choice ("thread mutexes for list access"), and on JDK 25
 * a virtual thread blocked on a monitor unmounts rather than pins. {@code size} is also
 * readable without the monitor: it is the Dekker partner of the user's lock-free fast
 * paths (see {@link FiberSemaphore}).
 */
final class WaitQueue {
    private Waiter head, tail;       // guarded by this
    private volatile int size;       // written under this; read by anyone

    int size() {
        return size;
    }

    /** Appends {@code w}; caller holds this monitor. */
    void enqueue(Waiter w) {
        w.prev = tail;
        w.next = null;
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
        w.queued = true;
        size = size + 1;
    }

    /** Removes and returns the head, or null; caller holds this monitor. */
    Waiter poll() {
        Waiter w = head;
        if (w != null) {
            unlink(w);
        }
        return w;
    }

    /** The head, or null; caller holds this monitor. */
    Waiter peek() {
        return head;
    }

    /** Withdraws {@code w} if still queued; caller holds this monitor. */
    boolean remove(Waiter w) {
        if (!w.queued) {
            return false;
        }
        unlink(w);
        return true;
    }

    private void unlink(Waiter w) {
        if (w.prev == null) {
            head = w.next;
        } else {
            w.prev.next = w.next;
        }
        if (w.next == null) {
            tail = w.prev;
        } else {
            w.next.prev = w.prev;
        }
        w.prev = w.next = null;
        w.queued = false;
        size = size - 1;
    }
}
