package dev.weft.bench;

import dev.weft.ifc.FiberMutex;
import dev.weft.ifc.FiberSemaphore;
import dev.weft.scheduler.WeftScheduler;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Contended mutex and semaphore: N fibers each take and release the lock (or one of 2
 * permits) around a tiny critical section, 1,000,000 acquisitions in all. JDK side:
 * ReentrantLock / Semaphore on default virtual threads; Weft side: FiberMutex /
 * FiberSemaphore on Weft fibers.
 *
 * <pre>benchmarks/run-bench SyncBench [--rounds=5] [--warmup=2]</pre>
 */
public final class SyncBench {
    private SyncBench() { }

    /** acquire + release of one shared resource. */
    interface Resource {
        void acquire();

        void release();
    }

    public static void main(String[] args) throws Exception {
        Harness h = Harness.fromArgs(args);
        h.printHeader("contended sync");
        try (WeftScheduler weft = WeftScheduler.builder().name("sync-bench").build()) {
            ThreadFactory jdk = Thread.ofVirtual().factory();
            ThreadFactory ours = weft.threadFactory();
            for (int fibers : new int[] {100, 1_000}) {
                h.compare("mutex/" + fibers, "ns/acquire",
                        () -> contend(jdk, fibers, jdkLock()), () -> contend(ours, fibers, weftLock()));
                h.compare("semaphore/" + fibers, "ns/acquire",
                        () -> contend(jdk, fibers, jdkSemaphore()), () -> contend(ours, fibers, weftSemaphore()));
            }
        }
    }

    private static Resource jdkLock() {
        ReentrantLock l = new ReentrantLock();
        return new Resource() {
            public void acquire() { l.lock(); }
            public void release() { l.unlock(); }
        };
    }

    private static Resource weftLock() {
        FiberMutex m = new FiberMutex();
        return new Resource() {
            public void acquire() { m.lock(); }
            public void release() { m.unlock(); }
        };
    }

    private static Resource jdkSemaphore() {
        Semaphore s = new Semaphore(2);
        return new Resource() {
            public void acquire() { s.acquireUninterruptibly(); }
            public void release() { s.release(); }
        };
    }

    private static Resource weftSemaphore() {
        FiberSemaphore s = new FiberSemaphore(2);
        return new Resource() {
            public void acquire() { s.acquire(); }
            public void release() { s.release(); }
        };
    }

    /** {@code fibers} threads share 1,000,000 acquisitions of {@code r}. */
    static long contend(ThreadFactory f, int fibers, Resource r) throws InterruptedException {
        int each = 1_000_000 / fibers;
        long[] shared = new long[1];
        Thread[] ts = new Thread[fibers];
        for (int i = 0; i < fibers; i++) {
            (ts[i] = f.newThread(() -> {
                for (int k = 0; k < each; k++) {
                    r.acquire();
                    try {
                        shared[0]++;
                    } finally {
                        r.release();
                    }
                }
            })).start();
        }
        for (Thread t : ts) {
            t.join();
        }
        return (long) each * fibers;
    }
}
