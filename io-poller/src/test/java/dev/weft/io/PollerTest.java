package dev.weft.io;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollerTest {
    /** close() wakes the poller through its eventfd; the thread ends and its fds are closed. */
    @Test
    void closeEndsThePollerThreadAndReleasesItsFds() throws Exception {
        java.util.Set<String> before = fds();
        Poller p = new Poller("test-poller", 0);
        java.util.Set<String> mine = fds();
        mine.removeAll(before);
        assertTrue(mine.stream().anyMatch(t -> t.contains("eventpoll")) && mine.stream().anyMatch(t -> t.contains("eventfd")),
                "an epoll fd and an eventfd: " + mine);
        await().atMost(dev.weft.scheduler.Bounded.HANG).until(() -> p.thread().getState() == Thread.State.RUNNABLE);   // in epoll_wait
        p.close();
        dev.weft.scheduler.Bounded.join(p.thread(), "the closed poller's thread");
        await().atMost(dev.weft.scheduler.Bounded.HANG).until(() -> java.util.Collections.disjoint(fds(), mine));
    }

    /** The open fds of this process as "number -> what it is". */
    private static java.util.Set<String> fds() throws java.io.IOException {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (var list = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) list::iterator) {
                try {
                    out.add(f.getFileName() + " -> " + java.nio.file.Files.readSymbolicLink(f));
                } catch (java.io.IOException closedMeanwhile) {
                    // gone while listing: not ours
                }
            }
        }
        return out;
    }
}
