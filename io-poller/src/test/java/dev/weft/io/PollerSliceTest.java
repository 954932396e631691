package dev.weft.io;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.scheduler.Bounded;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollerSliceTest {
    /** The kernel's own view of the poller thread (/proc/self/task/TID/sched) shows the slice it asked for. */
    @Test
    void aPollerThreadRunsOnTheSliceItAskedFor() throws Exception {
        assumeTrue(kernelAtLeast(6, 12), "per-thread slices need Linux 6.12");
        assumeTrue(slice(Path.of("/proc/thread-self")) > 0, "the kernel shows se.slice in /proc/.../sched");
        long defaultSlice = slice(Path.of("/proc/thread-self"));
        long asked = defaultSlice == 150_000 ? 200_000 : 150_000;
        Poller p = new Poller("slice-poller", asked);
        Poller plain = new Poller("plain-poller", 0);
        try {
            await().atMost(Bounded.HANG).until(() -> slice(taskNamed("slice-poller")) == asked);
            await().atMost(Bounded.HANG).until(() -> plain.thread().getState() == Thread.State.RUNNABLE);
            assertEquals(defaultSlice, slice(taskNamed("plain-poller")), "a poller asked for nothing keeps the default");
        } finally {
            p.close();
            plain.close();
            Bounded.join(p.thread(), "the slice poller's thread");
            Bounded.join(plain.thread(), "the plain poller's thread");
        }
    }

    @Test
    void theSliceIsMicrosecondsWithinWhatLinuxGrantsOrZero() {
        String old = System.getProperty(PollerSlice.PROPERTY);
        try {
            System.clearProperty(PollerSlice.PROPERTY);
            assertEquals(100_000, PollerSlice.configuredNanos());
            System.setProperty(PollerSlice.PROPERTY, "0");
            assertEquals(0, PollerSlice.configuredNanos());
            System.setProperty(PollerSlice.PROPERTY, "2500");
            assertEquals(2_500_000, PollerSlice.configuredNanos());
            for (String bad : new String[] {"50", "100001", "-100", "fast"}) {
                System.setProperty(PollerSlice.PROPERTY, bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, PollerSlice::configuredNanos);
                assertTrue(e.getMessage().contains(PollerSlice.PROPERTY) && e.getMessage().contains(bad), e.getMessage());
            }
        } finally {
            if (old == null) {
                System.clearProperty(PollerSlice.PROPERTY);
            } else {
                System.setProperty(PollerSlice.PROPERTY, old);
            }
        }
    }

    private static boolean kernelAtLeast(int major, int minor) throws IOException {
        String[] v = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim().split("[.-]");
        int ma = Integer.parseInt(v[0]), mi = Integer.parseInt(v[1]);
        return ma > major || (ma == major && mi >= minor);
    }

    /** The task directory of this process's thread called {@code name}. */
    private static Path taskNamed(String name) throws IOException {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).trim().equals(name)) {
                        return t;
                    }
                } catch (IOException gone) {
                    // the thread ended while listing: not the one
                }
            }
        }
        throw new AssertionError("no thread named " + name);
    }

    /** se.slice of a task's sched file in ns, or -1 when the kernel does not show it. */
    private static long slice(Path task) throws IOException {
        for (String line : Files.readAllLines(task.resolve("sched"))) {
            if (line.startsWith("se.slice")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return -1;
    }
}
