package dev.weft.io;

import java.io.IOException;

/**
 * Waits for a process to exit through a pidfd (pidfd_open, Linux 5.3+) registered in
 * Weft's poller: the waiting fiber sleeps, no thread blocks in waitpid.
 */
public final class ProcessExit {
    private ProcessExit() { }

    /**
     * Waits until process {@code pid} has exited (any process, not only children). Returns
     * at once if it has already exited and been reaped.
     *
     * @throws IllegalArgumentException if {@code pid <= 0}
     * @throws ErrnoException if pidfd_open fails otherwise (ENOSYS before Linux 5.3)
     */
    public static void await(long pid) throws IOException {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pid must be in 1.." + Integer.MAX_VALUE + ", got " + pid);
        }
        int fd = Syscalls.pidfdOpen((int) pid, 0);
        if (fd == -Errno.ESRCH) {
            return;                                   // gone already
        }
        Errno.check(fd, "pidfd_open(pid=" + pid + ")", -1);
        NativeFd n = NativeFd.register(fd, true, 0);  // readable once the process exits
        try {
            n.begin();
            try {
                n.await(NativeFd.READ);
            } finally {
                n.end();
            }
        } finally {
            n.close();
        }
    }

    /**
     * Waits until {@code process} has exited and returns its exit value.
     *
     * @throws InterruptedException if interrupted while the JDK reaps it
     */
    public static int await(Process process) throws IOException, InterruptedException {
        await(process.pid());
        return process.waitFor();                     // exited: returns once the JDK has reaped it
    }
}
