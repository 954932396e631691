package dev.weft.timers;

import java.util.Arrays;

/**
 * A 4-ary min-heap of timer nodes, ordered by deadline, then by insertion: equal
 * deadlines fire in the order they were set. The seed's layout: each slot keeps its
 * deadline inline (a {@code long[]} beside the node array), so sifting compares keys
 * without touching the nodes; each node knows its slot, so removing or re-keying any
 * node is O(log n). A 4-ary heap is half as deep as a binary one and its four children
 * share a cache line of keys (the JDK's DelayScheduler makes the same choice).
 *
 * <p>The arrays grow by doubling and shrink by half when three quarters are empty, so a
 * million cancelled timers give their memory back.
 *
 * <p>Owned by one timer fiber: not thread-safe. The one field others read is
 * {@link TimerNode#heapKey}, written here whenever a node's key changes.
 */
final class TimerHeap {
    private static final int MIN_CAPACITY = 64;

    private long[] keys = new long[MIN_CAPACITY];
    private long[] orders = new long[MIN_CAPACITY];   // insertion stamps: ties fire first-in first-out
    private TimerNode[] nodes = new TimerNode[MIN_CAPACITY];
    private int size;
    private long stamp;

    int size() {
        return size;
    }

    int capacity() {
        return nodes.length;
    }

    /** The earliest deadline, or {@link TimerNode#NONE} when empty. */
    long minKey() {
        return size == 0 ? TimerNode.NONE : keys[0];
    }

    /** Each node in the heap, in no particular order. */
    void forEach(java.util.function.Consumer<TimerNode> action) {
        for (int i = 0; i < size; i++) {
            action.accept(nodes[i]);
        }
    }

    /** Puts {@code n} in at {@code key}, or moves it there; {@link TimerNode#NONE} removes it. */
    void set(TimerNode n, long key) {
        if (key == TimerNode.NONE) {
            remove(n);
        } else if (n.heapIndex < 0) {
            add(n, key);
        } else if (keys[n.heapIndex] != key) {
            int i = n.heapIndex;
            long old = keys[i];
            keys[i] = key;
            orders[i] = stamp++;
            n.heapKey = key;
            if (key < old) {
                siftUp(i);
            } else {
                siftDown(i);
            }
        }
    }

    /**
     * Removes and returns the node with the earliest deadline (null when empty). Its
     * {@code heapKey} is cleared before it is returned: see {@link FiberTimeout} for why.
     */
    TimerNode poll() {
        if (size == 0) {
            return null;
        }
        TimerNode n = nodes[0];
        removeAt(0);
        return n;
    }

    private void add(TimerNode n, long key) {
        if (size == nodes.length) {
            resize(nodes.length * 2);
        }
        int i = size++;
        keys[i] = key;
        orders[i] = stamp++;
        nodes[i] = n;
        n.heapIndex = i;
        n.heapKey = key;
        siftUp(i);
    }

    void remove(TimerNode n) {
        if (n.heapIndex >= 0) {
            removeAt(n.heapIndex);
        }
    }

    private void removeAt(int i) {
        TimerNode n = nodes[i];
        n.heapIndex = -1;
        n.heapKey = TimerNode.NONE;
        int last = --size;
        if (i != last) {
            move(last, i);
            nodes[last] = null;
            siftDown(i);
            siftUp(i);
        } else {
            nodes[last] = null;
        }
        if (size < nodes.length / 4 && nodes.length > MIN_CAPACITY) {
            resize(nodes.length / 2);
        }
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            if (!less(i, parent)) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        for (;;) {
            int first = (i << 2) + 1;
            if (first >= size) {
                return;
            }
            int min = first;
            for (int c = first + 1, end = Math.min(first + 4, size); c < end; c++) {
                if (less(c, min)) {
                    min = c;
                }
            }
            if (!less(min, i)) {
                return;
            }
            swap(i, min);
            i = min;
        }
    }

    private boolean less(int a, int b) {
        return keys[a] < keys[b] || (keys[a] == keys[b] && orders[a] < orders[b]);
    }

    private void swap(int a, int b) {
        long k = keys[a], o = orders[a];
        TimerNode n = nodes[a];
        move(b, a);
        keys[b] = k;
        orders[b] = o;
        nodes[b] = n;
        n.heapIndex = b;
    }

    private void move(int from, int to) {
        keys[to] = keys[from];
        orders[to] = orders[from];
        nodes[to] = nodes[from];
        nodes[to].heapIndex = to;
    }

    private void resize(int capacity) {
        keys = Arrays.copyOf(keys, capacity);
        orders = Arrays.copyOf(orders, capacity);
        nodes = Arrays.copyOf(nodes, capacity);
    }
}
