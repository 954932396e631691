package dev.weft.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** Which accept failures pass, and a pause that an interrupt ends. (The loop under a real fd limit: samples.) */
class AcceptBackoffTest {
    @Test
    void resourceExhaustionAndAbortedConnectionsPassOtherFailuresDoNot() {
        for (int errno : new int[] {Errno.EMFILE, Errno.ENFILE, Errno.ENOBUFS, Errno.ENOMEM, Errno.ECONNABORTED}) {
            assertTrue(AcceptBackoff.isTransient(Errno.exception("accept", 3, errno)), Errno.name(errno));
        }
        assertFalse(AcceptBackoff.isTransient(Errno.exception("accept", 3, 9)), "EBADF is a bug, not a passing state");
        assertFalse(AcceptBackoff.isTransient(new java.nio.channels.ClosedChannelException()), "closed: the loop ends");
        assertFalse(AcceptBackoff.isTransient(new SocketException("Too many open files")), "no errno: the caller decides");
    }

    @Test
    void anInterruptEndsThePauseAndKeepsTheStatus() {
        AcceptBackoff b = new AcceptBackoff("test server");
        Thread.currentThread().interrupt();
        IOException e = assertThrows(InterruptedIOException.class, () -> b.pause(Errno.exception("accept", 3, Errno.EMFILE)));
        assertTrue(e.getMessage().contains("test server"), e.getMessage());
        assertTrue(Thread.interrupted(), "status kept (and cleared here)");
        b.reset();
    }
}
