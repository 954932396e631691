package dev.weft.timers;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The 4-ary heap against java.util.PriorityQueue, seeded and reproducible. */
class TimerHeapTest {
    /** A bare node: the heap test never expires anything. */
    static final class Node extends TimerNode {
        final int id;
        long key;
        long order;

        Node(int id) {
            super(null);
            this.id = id;
        }

        @Override
        long requested() {
            return key;
        }

        @Override
        void expire(long now) {
            throw new AssertionError("not in this test");
        }

        @Override
        void abandon() {
            throw new AssertionError("not in this test");
        }

        @Override
        public String toString() {
            return "node " + id + " @" + key;
        }
    }

    private static final Comparator<Node> ORDER = Comparator.<Node>comparingLong(n -> n.key).thenComparingLong(n -> n.order);

    @Test
    void randomOperationsMatchAPriorityQueue() {
        for (long seed = 1; seed <= 20; seed++) {
            runAgainstModel(seed, 20_000);
        }
    }

    private static void runAgainstModel(long seed, int steps) {
        Random rnd = new Random(seed);
        TimerHeap heap = new TimerHeap();
        PriorityQueue<Node> model = new PriorityQueue<>(ORDER);
        List<Node> in = new ArrayList<>();
        long stamp = 0;
        for (int step = 0; step < steps; step++) {
            int op = rnd.nextInt(10);
            String where = "seed " + seed + ", step " + step;
            if (op < 4 || in.isEmpty()) {                  // add, few distinct keys so ties are common
                Node n = new Node(step);
                n.key = rnd.nextInt(500);
                n.order = stamp++;
                heap.set(n, n.key);
                model.add(n);
                in.add(n);
            } else if (op < 6) {                           // cancel a random one
                Node n = in.remove(rnd.nextInt(in.size()));
                heap.set(n, TimerNode.NONE);
                assertTrue(model.remove(n), where);
                assertEquals(-1, n.heapIndex, where);
                assertEquals(TimerNode.NONE, n.heapKey, where);
            } else if (op < 8) {                           // reschedule: a re-keyed node queues behind equal keys
                Node n = in.get(rnd.nextInt(in.size()));
                long k = rnd.nextInt(500);
                model.remove(n);
                if (k != n.key) {
                    n.key = k;
                    n.order = stamp++;
                }
                heap.set(n, k);
                model.add(n);
                assertEquals(k, n.heapKey, where);
            } else {                                       // pop
                Node expect = model.poll();
                Node got = (Node) heap.poll();
                assertSame(expect, got, where);
                in.remove(got);
                assertEquals(-1, got.heapIndex, where);
            }
            assertEquals(model.size(), heap.size(), where);
            assertEquals(model.isEmpty() ? TimerNode.NONE : model.peek().key, heap.minKey(), where);
        }
        for (Node expect; (expect = model.poll()) != null; ) {
            assertSame(expect, heap.poll(), "seed " + seed + ", drain");
        }
        assertNull(heap.poll());
    }

    @Test
    void equalDeadlinesFireInInsertionOrder() {
        TimerHeap heap = new TimerHeap();
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Node n = new Node(i);
            heap.set(n, 42);
            nodes.add(n);
        }
        for (Node n : nodes) {
            assertSame(n, heap.poll());
        }
    }

    /** A million pending timers, then all cancelled: the arrays shrink back. */
    @Test
    void millionTimersThenCancelAllGivesTheMemoryBack() {
        TimerHeap heap = new TimerHeap();
        int initial = heap.capacity();
        Node[] nodes = new Node[1_000_000];
        Random rnd = new Random(3);
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new Node(i);
            heap.set(nodes[i], rnd.nextLong(1, Long.MAX_VALUE - 1));
        }
        assertEquals(nodes.length, heap.size());
        assertTrue(heap.capacity() >= nodes.length);
        for (Node n : nodes) {
            heap.set(n, TimerNode.NONE);
        }
        assertEquals(0, heap.size());
        assertEquals(initial, heap.capacity(), "arrays shrink back when emptied");
        assertEquals(TimerNode.NONE, heap.minKey());
    }
}
