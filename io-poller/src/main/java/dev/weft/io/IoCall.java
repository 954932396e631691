package dev.weft.io;

import java.lang.foreign.MemorySegment;

/**
 * A non-blocking system call that {@link NativeFd#io} retries around readiness waits. The
 * instances are constants, so an I/O operation allocates no strategy object.
 */
enum IoCall {
    /** read(2) into the segment; 0 is end of stream. */
    READ("read", NativeFd.READ) {
        @Override
        long call(int fd, MemorySegment buf, long address, long len) {
            return buf != null ? Syscalls.read(fd, buf, len) : Syscalls.readAt(fd, address, len);
        }

        @Override
        boolean drains(long r, long len) {
            return r > 0 && r < len;          // a short read emptied the socket (not EOF: its edge is spent)
        }
    },
    /** send(2) with MSG_NOSIGNAL: a reset peer is EPIPE, never a SIGPIPE. */
    SEND("send", NativeFd.WRITE) {
        @Override
        long call(int fd, MemorySegment buf, long address, long len) {
            return buf != null ? Syscalls.send(fd, buf, len, Linux.MSG_NOSIGNAL)
                    : Syscalls.sendAt(fd, address, len, Linux.MSG_NOSIGNAL);
        }

        @Override
        boolean drains(long r, long len) {
            return r < len;                   // a short write filled the send buffer
        }
    },
    /** accept4(2), non-blocking and close-on-exec; returns the new fd. */
    ACCEPT("accept", NativeFd.READ) {
        @Override
        long call(int fd, MemorySegment buf, long address, long len) {
            return Syscalls.accept4(fd, MemorySegment.NULL, MemorySegment.NULL,
                    Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC);
        }

        @Override
        boolean drains(long r, long len) {
            return false;
        }
    };

    final String op;
    final int bit;

    IoCall(String op, int bit) {
        this.op = op;
        this.bit = bit;
    }

    /**
     * The call on {@code buf} (heap memory), or on native memory at {@code address} when
     * {@code buf} is null: its result, or -errno.
     */
    abstract long call(int fd, MemorySegment buf, long address, long len);

    /** True if a successful result {@code r} shows the fd has nothing more for now. */
    abstract boolean drains(long r, long len);
}
