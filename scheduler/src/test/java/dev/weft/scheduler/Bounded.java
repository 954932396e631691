package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.fail;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The test kit's bound on waiting: every wait of a test ends in bounded time, and a wait
 * that runs out is a hang (a lost wakeup, a stranded fiber), reported with a dump of every
 * thread, virtual threads included, written under {@code target/} and named in the
 * failure. Tests of every module use it (the scheduler's test jar), so no test stalls CI.
 */
public final class Bounded {
    private Bounded() { }

    /** How long a test waits for something that should happen at once. */
    public static final Duration HANG = Duration.ofSeconds(30);

    /** Waits for {@code latch}; fails with a thread dump after {@link #HANG}. */
    public static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(HANG.toNanos(), TimeUnit.NANOSECONDS)) {
            hung(what + " (" + latch.getCount() + " left)");
        }
    }

    /** Joins {@code t}; fails with a thread dump after {@link #HANG}. */
    public static void join(Thread t, String what) throws InterruptedException {
        if (!t.join(HANG)) {
            hung(what + " (" + t + " still alive)");
        }
    }

    /**
     * Shuts {@code scheduler} down and waits for its termination; a fiber still blocked
     * after {@link #HANG} fails the test with a thread dump, and the scheduler is then
     * shut down now so the next test starts clean.
     */
    public static void close(WeftScheduler scheduler, String test) throws InterruptedException {
        scheduler.shutdown();
        if (scheduler.awaitTermination(HANG.toNanos(), TimeUnit.NANOSECONDS)) {
            return;
        }
        Path dump = dumpThreads(test);
        scheduler.shutdownNow();
        fail("fibers of " + scheduler + " still blocked " + HANG.toSeconds() + " s after shutdown; thread dump: " + dump);
    }

    /** Fails the test: {@code what} did not happen in time; every thread's stack is in the named file. */
    public static void hung(String what) {
        fail("hung: " + what + "; thread dump: " + dumpThreads(what.replaceAll("[^A-Za-z0-9]+", "-")));
    }

    /** Writes every thread's stack (virtual threads included) to a new file under target/ and returns it. */
    public static Path dumpThreads(String name) {
        String base = name.length() > 60 ? name.substring(0, 60) : name;
        Path dump = Path.of("target", "stuck-" + base + "-" + System.nanoTime() + ".txt").toAbsolutePath();
        try {
            Files.createDirectories(dump.getParent());
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the thread dump " + dump, e);
        }
        return dump;
    }
}
