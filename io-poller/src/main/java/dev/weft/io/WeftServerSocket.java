package dev.weft.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A listening TCP socket on Weft's poller. {@link #accept()} waits (as a fiber sleep, or a
 * park for other threads) until a connection arrives; {@link #close()} from any thread
 * ends that wait with AsynchronousCloseException.
 *
 * <pre>{@code
 * try (WeftServerSocket server = WeftServerSocket.bind(new InetSocketAddress("127.0.0.1", 0), 1024)) {
 *     WeftSocket s = server.accept();
 * }
 * }</pre>
 */
public final class WeftServerSocket implements AutoCloseable {
    private final NativeFd nfd;
    private final InetSocketAddress local;
    private volatile long acceptTimeout;          // nanoseconds, 0 = none

    private WeftServerSocket(NativeFd nfd, InetSocketAddress local) {
        this.nfd = nfd;
        this.local = local;
    }

    /** Binds with SO_REUSEADDR set and listens; see {@link #bind(SocketAddress, int, Map)}. */
    public static WeftServerSocket bind(SocketAddress local, int backlog) throws IOException {
        return bind(local, backlog, Map.of(StandardSocketOptions.SO_REUSEADDR, true));
    }

    /**
     * Creates a socket, sets {@code options} (SO_REUSEADDR, SO_REUSEPORT, SO_RCVBUF) before
     * binding, binds to {@code local} (IPv4 or IPv6; port 0 picks a free port) and listens.
     *
     * @param backlog the kernel's accept queue length, at least 1
     * @throws IllegalArgumentException if {@code backlog < 1} or the address or an option is bad
     * @throws ErrnoException if the address is in use (EADDRINUSE), or another failure
     */
    public static WeftServerSocket bind(SocketAddress local, int backlog,
            Map<SocketOption<?>, ?> options) throws IOException {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1, got " + backlog);
        }
        InetSocketAddress at = SockAddr.check(local);
        int fd = (int) Errno.check(Syscalls.socket(SockAddr.family(at),
                Linux.SOCK_STREAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0), "socket", -1);
        InetSocketAddress bound;
        try {
            for (Map.Entry<SocketOption<?>, ?> e : new LinkedHashMap<>(options).entrySet()) {
                setRaw(fd, e.getKey(), e.getValue());
            }
            try (Arena a = Arena.ofConfined()) {
                Errno.check(Syscalls.bind(fd, SockAddr.encode(at, a), SockAddr.length(at)), "bind " + at, fd);
            }
            Errno.check(Syscalls.listen(fd, backlog), "listen", fd);
            bound = SockAddr.query(fd, false);
        } catch (IOException | RuntimeException e) {
            Syscalls.close(fd);
            throw e;
        }
        return new WeftServerSocket(NativeFd.register(fd, true, NativeFd.READ), bound);   // closes fd if it fails
    }

    @SuppressWarnings("unchecked")
    private static <T> void setRaw(int fd, SocketOption<T> o, Object v) throws IOException {
        SocketOptionsSupport.set(fd, SocketOptionsSupport.LISTENER, o, (T) v);
    }

    /**
     * Waits for and returns the next connection (non-blocking, close-on-exec).
     *
     * @throws java.net.SocketTimeoutException if an accept timeout is set and passes first
     * @throws java.nio.channels.AsynchronousCloseException if closed while waiting
     * @throws java.nio.channels.ClosedChannelException if already closed
     */
    public WeftSocket accept() throws IOException {
        int fd = (int) nfd.io(IoCall.ACCEPT, null, 0, 0, WeftSocket.deadline(acceptTimeout));
        return WeftSocket.adopt(fd);
    }

    /**
     * Limits every later accept to {@code timeout} of waiting (zero: none, the default), as
     * {@link java.net.ServerSocket#setSoTimeout}; the listener stays open after a timeout.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public WeftServerSocket setAcceptTimeout(java.time.Duration timeout) {
        acceptTimeout = WeftSocket.checkTimeout("accept timeout", timeout);
        return this;
    }

    /** The bound address (with the real port when bound to port 0). */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** The value of SO_REUSEADDR, SO_REUSEPORT or SO_RCVBUF. */
    public <T> T getOption(SocketOption<T> option) throws IOException {
        nfd.begin();
        try {
            return SocketOptionsSupport.get(nfd.fd, SocketOptionsSupport.LISTENER, option);
        } finally {
            nfd.end();
        }
    }

    public boolean isOpen() {
        return !nfd.isClosed();
    }

    /** Stops listening; a waiting accept() gets AsynchronousCloseException. Idempotent. */
    @Override
    public void close() {
        nfd.close();
    }

    @Override
    public String toString() {
        return "WeftServerSocket[" + local + (isOpen() ? "" : ", closed") + "]";
    }
}
