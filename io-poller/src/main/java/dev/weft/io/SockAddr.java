package dev.weft.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/** struct sockaddr_in / sockaddr_in6 to and from InetSocketAddress. */
final class SockAddr {
    private SockAddr() { }

    /** Large enough for either family. */
    static final int MAX_LEN = 28;
    private static final ValueLayout.OfShort NET_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Checks and resolves {@code a}: an InetSocketAddress with a resolved host. */
    static InetSocketAddress check(SocketAddress a) throws IOException {
        if (!(a instanceof InetSocketAddress in)) {
            throw new IllegalArgumentException("need an InetSocketAddress, got "
                    + (a == null ? "null" : a.getClass().getName()));
        }
        if (in.isUnresolved()) {
            throw new UnknownHostException("unresolved address " + in);
        }
        return in;
    }

    static int family(InetSocketAddress a) {
        return a.getAddress() instanceof Inet6Address ? Linux.AF_INET6 : Linux.AF_INET;
    }

    /** Writes {@code a} into fresh memory of {@code arena}; the length is {@link #length}. */
    static MemorySegment encode(InetSocketAddress a, Arena arena) {
        MemorySegment s = arena.allocate(MAX_LEN, 4);
        byte[] ip = a.getAddress().getAddress();
        s.set(ValueLayout.JAVA_SHORT, 0, (short) family(a));
        s.set(NET_SHORT, 2, (short) a.getPort());
        if (a.getAddress() instanceof Inet4Address) {
            MemorySegment.copy(ip, 0, s, ValueLayout.JAVA_BYTE, 4, 4);
        } else {
            MemorySegment.copy(ip, 0, s, ValueLayout.JAVA_BYTE, 8, 16);
            s.set(ValueLayout.JAVA_INT, 24, ((Inet6Address) a.getAddress()).getScopeId());
        }
        return s;
    }

    static int length(InetSocketAddress a) {
        return a.getAddress() instanceof Inet4Address ? 16 : 28;
    }

    static InetSocketAddress decode(MemorySegment s) throws UnknownHostException {
        int family = s.get(ValueLayout.JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(s.get(NET_SHORT, 2));
        byte[] ip = s.asSlice(family == Linux.AF_INET ? 4 : 8, family == Linux.AF_INET ? 4 : 16)
                .toArray(ValueLayout.JAVA_BYTE);
        InetAddress addr = family == Linux.AF_INET
                ? InetAddress.getByAddress(ip)
                : Inet6Address.getByAddress(null, ip, s.get(ValueLayout.JAVA_INT, 24));
        return new InetSocketAddress(addr, port);
    }

    /** getsockname or getpeername of {@code fd}. */
    static InetSocketAddress query(int fd, boolean peer) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(MAX_LEN, 4);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, MAX_LEN);
            int r = peer ? Syscalls.getpeername(fd, s, len) : Syscalls.getsockname(fd, s, len);
            Errno.check(r, peer ? "getpeername" : "getsockname", fd);
            return decode(s);
        }
    }
}
