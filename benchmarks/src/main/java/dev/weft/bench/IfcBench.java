package dev.weft.bench;

import dev.weft.scheduler.Fiber;
import dev.weft.scheduler.FiberCall;
import dev.weft.scheduler.Wake;
import dev.weft.scheduler.WeftScheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Inter-fiber call round trips: S senders (1, 2, 8) each send 200,000/S calls to one
 * target and wait for each result before sending the next. Weft side: FiberCall to a
 * fiber serving in IFC sleeps. JDK side, the same hand-off written the usual way: a
 * LinkedBlockingQueue of requests to a default virtual thread, which completes each and
 * unparks its sender. Time per call = wall time / all calls (so with S senders it is the
 * inverse of throughput, not the latency of one call).
 *
 * <pre>benchmarks/run-bench IfcBench [--rounds=5] [--warmup=2]</pre>
 */
public final class IfcBench {
    private IfcBench() { }

    private static final int CALLS = 200_000;

    public static void main(String[] args) throws Exception {
        Harness h = Harness.fromArgs(args);
        h.printHeader("inter-fiber call round trips");
        try (WeftScheduler weft = WeftScheduler.builder().name("ifc-bench").build()) {
            for (int senders : new int[] {1, 2, 8}) {
                h.compare("call/" + senders, "ns/call", () -> jdkQueue(senders), () -> weftCalls(weft, senders));
            }
        }
    }

    static long weftCalls(WeftScheduler weft, int senders) throws Exception {
        CompletableFuture<Fiber> self = new CompletableFuture<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread target = weft.ofVirtual().start(() -> {
            Fiber f = Fiber.current();
            self.complete(f);
            while (!stop.get()) {
                f.prepareSleep(Wake.IFC | Wake.user(0));
                if (!stop.get()) {
                    f.sleep();
                }
            }
        });
        Fiber f = self.get();
        long[] served = new long[1];
        Thread[] ts = new Thread[senders];
        for (int s = 0; s < senders; s++) {
            ts[s] = weft.ofVirtual().start(() -> {
                FiberCall c = new FiberCall(() -> ++served[0]);
                for (int i = 0; i < CALLS / senders; i++) {
                    f.call(c);
                    try {
                        c.await();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        stop.set(true);
        f.wake(Wake.user(0));
        target.join();
        return (long) (CALLS / senders) * senders;
    }

    /** A request on the JDK side: the work, its result, and who waits for it. */
    static final class Request {
        final Thread sender = Thread.currentThread();
        volatile Object result;
    }

    static long jdkQueue(int senders) throws Exception {
        LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
        Request poison = new Request();
        long[] served = new long[1];
        Thread target = Thread.ofVirtual().start(() -> {
            try {
                for (Request r; (r = queue.take()) != poison; ) {
                    r.result = ++served[0];
                    LockSupport.unpark(r.sender);
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Thread[] ts = new Thread[senders];
        for (int s = 0; s < senders; s++) {
            ts[s] = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < CALLS / senders; i++) {
                    Request r = new Request();
                    queue.add(r);
                    while (r.result == null) {
                        LockSupport.park(r);
                    }
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        queue.add(poison);
        target.join();
        return (long) (CALLS / senders) * senders;
    }
}
