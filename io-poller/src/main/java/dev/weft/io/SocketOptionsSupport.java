package dev.weft.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;

/** The socket options Weft sockets support, as setsockopt / getsockopt on int values. */
final class SocketOptionsSupport {
    private SocketOptionsSupport() { }

    static final Set<SocketOption<?>> STREAM = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_LINGER);
    static final Set<SocketOption<?>> LISTENER = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT);

    /** {level, name} of a supported option. */
    private static int[] levelAndName(SocketOption<?> o, Set<SocketOption<?>> supported) {
        if (o == null || !supported.contains(o)) {
            throw new UnsupportedOperationException("unsupported socket option " + o
                    + "; supported: " + supported);
        }
        if (o == StandardSocketOptions.TCP_NODELAY) {
            return new int[] {Linux.IPPROTO_TCP, Linux.TCP_NODELAY};
        }
        if (o == StandardSocketOptions.SO_RCVBUF) {
            return new int[] {Linux.SOL_SOCKET, Linux.SO_RCVBUF};
        }
        if (o == StandardSocketOptions.SO_SNDBUF) {
            return new int[] {Linux.SOL_SOCKET, Linux.SO_SNDBUF};
        }
        if (o == StandardSocketOptions.SO_KEEPALIVE) {
            return new int[] {Linux.SOL_SOCKET, Linux.SO_KEEPALIVE};
        }
        if (o == StandardSocketOptions.SO_LINGER) {
            return new int[] {Linux.SOL_SOCKET, Linux.SO_LINGER};
        }
        if (o == StandardSocketOptions.SO_REUSEADDR) {
            return new int[] {Linux.SOL_SOCKET, Linux.SO_REUSEADDR};
        }
        return new int[] {Linux.SOL_SOCKET, Linux.SO_REUSEPORT};
    }

    static <T> void set(int fd, Set<SocketOption<?>> supported, SocketOption<T> o, T value) throws IOException {
        int[] ln = levelAndName(o, supported);
        if (value == null) {
            throw new IllegalArgumentException("null value for " + o);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(8, 4);
            int len = 4;
            if (value instanceof Boolean b) {
                s.set(ValueLayout.JAVA_INT, 0, b ? 1 : 0);
            } else if (o == StandardSocketOptions.SO_LINGER) {
                int secs = (Integer) value;           // struct linger {l_onoff, l_linger}; < 0: off
                s.set(ValueLayout.JAVA_INT, 0, secs < 0 ? 0 : 1);
                s.set(ValueLayout.JAVA_INT, 4, Math.max(secs, 0));
                len = 8;
            } else {
                int v = (Integer) value;
                if (v <= 0) {
                    throw new IllegalArgumentException(o + " must be > 0, got " + v);
                }
                s.set(ValueLayout.JAVA_INT, 0, v);
            }
            Errno.check(Syscalls.setsockopt(fd, ln[0], ln[1], s, len), "setsockopt(" + o + ")", fd);
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T get(int fd, Set<SocketOption<?>> supported, SocketOption<T> o) throws IOException {
        int[] ln = levelAndName(o, supported);
        if (o == StandardSocketOptions.SO_LINGER) {
            long both = getRaw(fd, ln[0], ln[1], 8, "getsockopt(" + o + ")");
            return (T) (Object) ((int) both == 0 ? -1 : (int) (both >>> 32));
        }
        int v = getInt(fd, ln[0], ln[1], "getsockopt(" + o + ")");
        return (T) (o.type() == Boolean.class ? (Object) (v != 0) : (Object) v);
    }

    /** SO_ERROR of {@code fd}: the pending error of a non-blocking connect, 0 if none. */
    static int pendingError(int fd) throws IOException {
        return getInt(fd, Linux.SOL_SOCKET, Linux.SO_ERROR, "getsockopt(SO_ERROR)");
    }

    private static int getInt(int fd, int level, int name, String what) throws IOException {
        return (int) getRaw(fd, level, name, 4, what);
    }

    /** Up to 8 bytes of option value, little end first (x86-64 and aarch64 are little-endian). */
    private static long getRaw(int fd, int level, int name, int size, String what) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(8, 8);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, size);
            Errno.check(Syscalls.getsockopt(fd, level, name, s, len), what, fd);
            return s.get(ValueLayout.JAVA_LONG, 0);
        }
    }
}
