package dev.weft.io;

import java.io.IOException;
import java.net.ConnectException;

/** errno numbers Weft tests for, their names, and the exceptions that carry them. */
final class Errno {
    private Errno() { }

    static final int ENOENT = 2, ESRCH = 3, EINTR = 4, EAGAIN = 11, ENOMEM = 12, ENFILE = 23, EMFILE = 24, ECONNABORTED = 103,
            ECONNRESET = 104, ENOBUFS = 105, ENOTCONN = 107, ECONNREFUSED = 111, EINPROGRESS = 115;

    private static final String[] NAMES = new String[134];
    static {
        String table = "1 EPERM 2 ENOENT 3 ESRCH 4 EINTR 5 EIO 6 ENXIO 7 E2BIG 8 ENOEXEC 9 EBADF "
                + "10 ECHILD 11 EAGAIN 12 ENOMEM 13 EACCES 14 EFAULT 16 EBUSY 17 EEXIST 19 ENODEV "
                + "20 ENOTDIR 21 EISDIR 22 EINVAL 23 ENFILE 24 EMFILE 28 ENOSPC 29 ESPIPE 32 EPIPE "
                + "38 ENOSYS 88 ENOTSOCK 89 EDESTADDRREQ 90 EMSGSIZE 91 EPROTOTYPE 92 ENOPROTOOPT "
                + "93 EPROTONOSUPPORT 95 EOPNOTSUPP 97 EAFNOSUPPORT 98 EADDRINUSE 99 EADDRNOTAVAIL "
                + "100 ENETDOWN 101 ENETUNREACH 103 ECONNABORTED 104 ECONNRESET 105 ENOBUFS "
                + "106 EISCONN 107 ENOTCONN 110 ETIMEDOUT 111 ECONNREFUSED 113 EHOSTUNREACH "
                + "114 EALREADY 115 EINPROGRESS";
        String[] t = table.split(" ");
        for (int i = 0; i < t.length; i += 2) {
            NAMES[Integer.parseInt(t[i])] = t[i + 1];
        }
    }

    /** The symbolic name of {@code errno}, or "errno N" for one not in the table. */
    static String name(int errno) {
        return errno > 0 && errno < NAMES.length && NAMES[errno] != null ? NAMES[errno] : "errno " + errno;
    }

    /** An exception for a failed {@code op} on {@code fd}: "read(fd=17): ECONNRESET". */
    static IOException exception(String op, int fd, int errno) {
        String msg = op + "(fd=" + fd + "): " + name(errno);
        return errno == ECONNREFUSED ? new ConnectException(msg) : new ErrnoException(msg, errno);
    }

    /** Returns {@code r} if it is not a failure, else throws for it. */
    static long check(long r, String op, int fd) throws IOException {
        if (r < 0) {
            throw exception(op, fd, (int) -r);
        }
        return r;
    }
}
