package dev.weft.io;

import dev.weft.scheduler.FiberKilledException;
import dev.weft.scheduler.Wait;
import dev.weft.scheduler.Wake;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import sun.misc.Signal;

/**
 * Lets fibers wait for POSIX signals (HUP, TERM, USR2, ...).
 *
 * <p>Why not signalfd: a signalfd only sees a signal that is blocked in every thread of
 * the process, and the JVM's threads (and the JDK's own handlers) are not ours to mask.
 * So Weft installs a {@link sun.misc.Signal} handler on first use of a signal; the JVM
 * runs it on a thread of its own, which wakes every waiter with {@link Wake#SIGNAL}
 * (a fiber's sleep, a thread's park: {@link Wait}). The handler replaces the JVM's default
 * for that signal (for TERM and HUP, which would otherwise exit the JVM): waiting for a
 * signal means handling it.
 *
 * <p>Each signal has a count of deliveries; a waiter returns when the count moves past
 * the value it saw on entry, so a signal that lands between entry and sleep is not lost.
 */
public final class SignalWait {
    private SignalWait() { }

    /** One signal's delivery count and waiters. */
    private static final class Channel {
        /** Deliveries so far; the JDK may run two handlers at once (a thread per delivery). */
        final AtomicLong delivered = new AtomicLong();
        final Queue<Object> waiters = new ConcurrentLinkedQueue<>(); // Fiber or Thread

        void deliver() {
            delivered.incrementAndGet();                            // before reading the waiters: the Dekker pair
            for (Object w : waiters) {
                Wait.wake(w, Wake.SIGNAL);
            }
        }
    }

    private static final Map<String, Channel> CHANNELS = new ConcurrentHashMap<>();

    /**
     * Waits until signal {@code name} ("TERM", "HUP", "USR2"; without "SIG") is delivered
     * to the process.
     *
     * @throws IllegalArgumentException if the JVM does not know or reserves the signal
     *         (e.g. "KILL", "USR1" on HotSpot)
     * @throws FiberKilledException if the waiting fiber is killed
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public static void await(String name) throws InterruptedException {
        Channel c = CHANNELS.computeIfAbsent(name, SignalWait::install);
        Object me = Wait.self();
        long seen = c.delivered.get();
        c.waiters.add(me);                                          // then Wait tests the count: the Dekker pair
        try {
            Wait.awaitInterruptibly(new Wait.Until() {
                @Override
                public boolean done() {
                    return c.delivered.get() != seen;
                }

                @Override
                public String toString() {
                    return "SIG" + name;
                }
            }, Wake.SIGNAL, 0, Long.MAX_VALUE);
        } finally {
            c.waiters.remove(me);
        }
    }

    private static Channel install(String name) {
        Channel c = new Channel();
        Signal.handle(new Signal(name), s -> c.deliver());   // IllegalArgumentException names the signal
        return c;
    }
}
