package dev.weft.io;

/**
 * Linux ABI constants Weft passes to system calls (the values are the same on x86-64 and
 * aarch64; the one layout that differs, {@code struct epoll_event}, is chosen below from
 * {@code os.arch}).
 */
final class Linux {
    private Linux() { }

    static final int AF_INET = 2, AF_INET6 = 10;
    static final int SOCK_STREAM = 1, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8,
            SO_KEEPALIVE = 9, SO_LINGER = 13, SO_REUSEPORT = 15;
    static final int IPPROTO_TCP = 6, TCP_NODELAY = 1;
    static final int SHUT_RD = 0, SHUT_WR = 1;
    static final int MSG_NOSIGNAL = 0x4000;

    static final int EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10,
            EPOLLRDHUP = 0x2000, EPOLLONESHOT = 1 << 30, EPOLLET = 1 << 31;
    static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;
    /** timerfd: the clock of System.nanoTime() on Linux; absolute expiry; flags as O_NONBLOCK / O_CLOEXEC. */
    static final int CLOCK_MONOTONIC = 1, TFD_TIMER_ABSTIME = 1, TFD_NONBLOCK = 0x800, TFD_CLOEXEC = 0x80000;
    static final int O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;

    /** x86-64, else aarch64: the two Linux ABIs Weft runs on. */
    static final boolean X86_64 = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    /** struct epoll_event is packed (12 bytes) on x86-64, naturally aligned (16) elsewhere. */
    static final int EPOLL_EVENT_SIZE = X86_64 ? 12 : 16;
    static final int EPOLL_EVENT_DATA_OFFSET = X86_64 ? 4 : 8;

    /** Fills the epoll_event at {@code ev} for epoll_ctl: the event mask, and data = fd (low half), tag (high half). */
    static void setEpollEvent(java.lang.foreign.MemorySegment ev, int events, int fd, int tag) {
        ev.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, events);
        ev.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, EPOLL_EVENT_DATA_OFFSET, fd);
        ev.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, EPOLL_EVENT_DATA_OFFSET + 4, tag);
    }
}
