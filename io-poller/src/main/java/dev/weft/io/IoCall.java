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
        long call(int fd, MemorySegment buf, long len) {
            return Syscalls.read(fd, buf, len);
        }

        @Override
        boolean drains(long r, long len) {
            return r > 0 && r < len;          // a short read emptied the socket (not EOF: its edge is spent)
        }
    },
    /** send(2) with MSG_NOSIGNAL: a reset peer is EPIPE, never a SIGPIPE. */
    SEND("send", NativeFd.WRITE) {
        @Override
        long call(int fd, MemorySegment buf, long len) {
            return Syscalls.send(fd, buf, len, Linux.MSG_NOSIGNAL);
        }

        @Override
        boolean drains(long r, long len) {
            return r < len;                   // a short write filled the send buffer
        }
    },
    /** write(2), for fds that are not sockets (pipes, eventfds). */
    WRITE("write", NativeFd.WRITE) {
        @Override
        long call(int fd, MemorySegment buf, long len) {
            return Syscalls.write(fd, buf, len);
        }

        @Override
        boolean drains(long r, long len) {
            return r < len;
        }
    },
    /** accept4(2), non-blocking and close-on-exec; returns the new fd. */
    ACCEPT("accept", NativeFd.READ) {
        @Override
        long call(int fd, MemorySegment buf, long len) {
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

    /** The call: its result, or -errno. */
    abstract long call(int fd, MemorySegment buf, long len);

    /** True if a successful result {@code r} shows the fd has nothing more for now. */
    abstract boolean drains(long r, long len);
}
