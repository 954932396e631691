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
        long before = WeftSocketTest.openFds();
        Poller p = new Poller("test-poller");
        assertEquals(before + 2, WeftSocketTest.openFds(), "an epoll fd and an eventfd");
        await().until(() -> p.thread().getState() == Thread.State.RUNNABLE);   // in epoll_wait
        p.close();
        p.thread().join();
        assertEquals(before, WeftSocketTest.openFds());
    }
}
