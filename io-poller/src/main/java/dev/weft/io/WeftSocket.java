package dev.weft.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import dev.weft.scheduler.Weft;
import java.time.Duration;
import java.util.Objects;

/**
 * A TCP connection on Weft's edge-triggered poller: reads and writes are non-blocking
 * system calls, and a call that would block puts the calling fiber to sleep until the
 * poller sees the socket ready (the fiber's carrier runs other fibers meanwhile).
 *
 * <p>Threads: a fiber waits through its wakeup word (and {@link dev.weft.scheduler.Fiber#kill
 * kill} ends the wait with FiberKilledException); any other thread (a platform thread,
 * a virtual thread of another scheduler) may call the same methods and blocks by parking.
 * One reader and one writer may wait at a time; reading and writing concurrently is fine.
 * An interrupt ends a wait with InterruptedIOException (the status stays set, the socket
 * stays open). {@link #close()} from any thread ends waits with AsynchronousCloseException.
 *
 * <p>As a {@link ByteChannel} it is a blocking channel: {@link #write(ByteBuffer)} writes
 * every remaining byte. {@link #inputStream()} and {@link #outputStream()} adapt it for
 * stream code.
 */
public final class WeftSocket implements ByteChannel {
    private final NativeFd nfd;
    private volatile long readTimeout;            // nanoseconds, 0 = none; any thread may set it
    private volatile long writeTimeout;           // nanoseconds, 0 = none

    private WeftSocket(NativeFd nfd) {
        this.nfd = nfd;
    }

    /** Wraps an accepted, non-blocking fd (owned). */
    static WeftSocket adopt(int fd) throws IOException {
        return new WeftSocket(NativeFd.register(fd, true, NativeFd.READ | NativeFd.WRITE));
    }

    /**
     * Opens a connection to {@code remote} (IPv4 or IPv6), waiting for the handshake.
     *
     * @throws java.net.ConnectException if refused ("connect(fd=17): ECONNREFUSED")
     * @throws IllegalArgumentException if {@code remote} is not an InetSocketAddress
     */
    public static WeftSocket connect(SocketAddress remote) throws IOException {
        return connect(remote, Duration.ZERO);
    }

    /**
     * Like {@link #connect(SocketAddress)}, giving up after {@code timeout} (zero: no
     * timeout) with a {@link java.net.SocketTimeoutException}; the socket is closed then.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static WeftSocket connect(SocketAddress remote, Duration timeout) throws IOException {
        long deadline = deadline(checkTimeout("connect timeout", timeout));
        InetSocketAddress to = SockAddr.check(remote);
        int fd = (int) Errno.check(Syscalls.socket(SockAddr.family(to),
                Linux.SOCK_STREAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0), "socket", -1);
        int r;
        try (Arena a = Arena.ofConfined()) {
            r = Syscalls.connect(fd, SockAddr.encode(to, a), SockAddr.length(to));
        }
        if (r != 0 && r != -Errno.EINPROGRESS && r != -Errno.EINTR) {
            Syscalls.close(fd);
            throw Errno.exception("connect", fd, -r);
        }
        // Registered only now: an unconnected TCP socket polls as hung up, which would set
        // the sticky closed bits. While connecting, writable is unknown (0): its edge ends the wait.
        WeftSocket s = new WeftSocket(NativeFd.register(fd, true, r == 0 ? NativeFd.READ | NativeFd.WRITE : NativeFd.READ));
        if (r != 0) {
            try {
                s.awaitConnected(deadline);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
        return s;
    }

    /** Waits for the handshake of a non-blocking connect to end; throws its error. */
    private void awaitConnected(long deadline) throws IOException {
        nfd.begin();
        try {
            for (;;) {
                nfd.await(NativeFd.WRITE, deadline, 0);
                long seen = nfd.observe();
                int err = SocketOptionsSupport.pendingError(nfd.fd);
                if (err != 0) {
                    throw Errno.exception("connect", nfd.fd, err);
                }
                if (isConnected()) {
                    return;
                }
                nfd.drained(seen, NativeFd.WRITE);
            }
        } finally {
            nfd.end();
        }
    }

    private boolean isConnected() throws IOException {
        try {
            SockAddr.query(nfd.fd, true);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOTCONN) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Reads into {@code dst} what is available, waiting if nothing is.
     *
     * @return the number of bytes read, or -1 at end of stream
     * @throws IllegalArgumentException if {@code dst} is read-only
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read into a read-only buffer");
        }
        int len = dst.remaining();
        if (len == 0) {
            return 0;
        }
        int n = (int) io(IoCall.READ, dst, len, deadline(readTimeout));
        if (n == 0) {
            return -1;
        }
        dst.position(dst.position() + n);
        return n;
    }

    /**
     * Reads up to {@code len} bytes into {@code b[off..]}, waiting if nothing is available.
     *
     * @return the number of bytes read, or -1 at end of stream
     */
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int n = (int) nfd.io(IoCall.READ, MemorySegment.ofArray(b).asSlice(off, len), 0, len, deadline(readTimeout));
        return n == 0 ? -1 : n;
    }

    /** {@code c} on {@code b}'s remaining bytes: direct buffers by address (no segment escapes). */
    private long io(IoCall c, ByteBuffer b, int len, long deadline) throws IOException {
        return b.isDirect()
                ? nfd.io(c, null, MemorySegment.ofBuffer(b).address(), len, deadline)
                : nfd.io(c, MemorySegment.ofBuffer(b), 0, len, deadline);
    }

    /**
     * Limits every later read to {@code timeout} of waiting (zero: none, the default), as
     * {@link java.net.Socket#setSoTimeout}: a read that waits longer throws
     * {@link java.net.SocketTimeoutException} and the socket stays usable. On fibers the
     * deadline is served by Weft's timers (weft-timers on the class path).
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public WeftSocket setReadTimeout(Duration timeout) {
        readTimeout = checkTimeout("read timeout", timeout);
        return this;
    }

    /**
     * Limits every later write call (all of its bytes) to {@code timeout} (zero: none, the
     * default); a write that cannot finish in time throws
     * {@link java.net.SocketTimeoutException}, with part of the data possibly sent.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public WeftSocket setWriteTimeout(Duration timeout) {
        writeTimeout = checkTimeout("write timeout", timeout);
        return this;
    }

    /** The read timeout; zero for none. */
    public Duration readTimeout() {
        return Duration.ofNanos(readTimeout);
    }

    /** The write timeout; zero for none. */
    public Duration writeTimeout() {
        return Duration.ofNanos(writeTimeout);
    }

    static long checkTimeout(String what, Duration timeout) {
        Objects.requireNonNull(timeout, what);
        if (timeout.isNegative()) {
            throw new IllegalArgumentException(what + " must be >= 0 (0 for none), got " + timeout);
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** The deadline of an operation starting now under a timeout of {@code nanos} (0: none). */
    static long deadline(long nanos) {
        return nanos == 0 ? Long.MAX_VALUE : Weft.deadlineAfterNanos(nanos);
    }

    /**
     * Writes every remaining byte of {@code src} (a blocking channel's write), waiting
     * whenever the send buffer is full.
     *
     * @return the number of bytes written
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        int total = src.remaining();
        long deadline = deadline(writeTimeout);
        while (src.hasRemaining()) {
            int n = (int) io(IoCall.SEND, src, src.remaining(), deadline);
            src.position(src.position() + n);
        }
        return total;
    }

    /** Writes all of {@code b[off..off+len)}, waiting whenever the send buffer is full. */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        MemorySegment all = MemorySegment.ofArray(b);
        long deadline = deadline(writeTimeout);
        for (int done = 0; done < len;) {
            done += (int) nfd.io(IoCall.SEND, all.asSlice(off + done, len - done), 0, len - done, deadline);
        }
    }

    /** Shuts the read side down: later reads see end of stream. */
    public void shutdownInput() throws IOException {
        shutdown(Linux.SHUT_RD, "shutdown(SHUT_RD)");
    }

    /** Shuts the write side down: the peer reads end of stream (a half-close). */
    public void shutdownOutput() throws IOException {
        shutdown(Linux.SHUT_WR, "shutdown(SHUT_WR)");
    }

    private void shutdown(int how, String what) throws IOException {
        nfd.begin();
        try {
            Errno.check(Syscalls.shutdown(nfd.fd, how), what, nfd.fd);
        } finally {
            nfd.end();
        }
    }

    /** Sets TCP_NODELAY, SO_RCVBUF, SO_SNDBUF, SO_KEEPALIVE, SO_REUSEADDR or SO_REUSEPORT. */
    public <T> WeftSocket setOption(SocketOption<T> option, T value) throws IOException {
        nfd.begin();
        try {
            SocketOptionsSupport.set(nfd.fd, SocketOptionsSupport.STREAM, option, value);
            return this;
        } finally {
            nfd.end();
        }
    }

    /** The value of a supported option (see {@link #setOption}). */
    public <T> T getOption(SocketOption<T> option) throws IOException {
        nfd.begin();
        try {
            return SocketOptionsSupport.get(nfd.fd, SocketOptionsSupport.STREAM, option);
        } finally {
            nfd.end();
        }
    }

    public InetSocketAddress localAddress() throws IOException {
        return address(false);
    }

    public InetSocketAddress remoteAddress() throws IOException {
        return address(true);
    }

    private InetSocketAddress address(boolean peer) throws IOException {
        nfd.begin();
        try {
            return SockAddr.query(nfd.fd, peer);
        } finally {
            nfd.end();
        }
    }

    @Override
    public boolean isOpen() {
        return !nfd.isClosed();
    }

    /**
     * Closes the socket. A thread blocked reading or writing it gets
     * AsynchronousCloseException; the fd is released once no call is using it. Idempotent.
     */
    @Override
    public void close() {
        nfd.close();
    }

    /** An InputStream over this socket (closing it closes the socket). */
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return WeftSocket.this.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return WeftSocket.this.read(b, off, len);
            }

            @Override
            public void close() {
                WeftSocket.this.close();
            }
        };
    }

    /** An OutputStream over this socket (closing it closes the socket). */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                WeftSocket.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                WeftSocket.this.write(b, off, len);
            }

            @Override
            public void close() {
                WeftSocket.this.close();
            }
        };
    }

    /** The file descriptor number (for diagnostics; do not close it). */
    public int fd() {
        return nfd.fd;
    }

    @Override
    public String toString() {
        return "WeftSocket[fd=" + nfd.fd + (isOpen() ? "" : ", closed") + "]";
    }
}
