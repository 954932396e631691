package dev.weft.io;

import java.io.IOException;

/**
 * A system call failed: the message names the call, the file descriptor and the errno
 * ("read(fd=17): ECONNRESET"); {@link #errno()} gives the number.
 */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    ErrnoException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The Linux errno the call failed with. */
    public int errno() {
        return errno;
    }
}
