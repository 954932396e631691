package dev.weft.io;

import static org.junit.jupiter.api.Assertions.fail;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.weft.scheduler.WeftScheduler;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Ends a test's scheduler in bounded time: a fiber still blocked 30 s after shutdown is a
 * bug (a lost wakeup), so instead of hanging the build in close(), write every thread's
 * stack (virtual threads included) under target/ and fail naming the file.
 */
public final class Teardown {
    private Teardown() { }

    public static void close(WeftScheduler scheduler, String test) throws Exception {
        scheduler.shutdown();
        if (scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
            return;
        }
        Path dump = Path.of("target", "stuck-" + test + "-" + System.nanoTime() + ".txt").toAbsolutePath();
        Files.createDirectories(dump.getParent());
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
        scheduler.shutdownNow();
        fail("fibers of " + scheduler + " still blocked 30 s after shutdown; thread dump: " + dump);
    }
}
