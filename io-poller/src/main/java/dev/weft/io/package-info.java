/**
 * Weft's I/O: an edge-triggered epoll poller on its own platform thread, and what waits on
 * it. {@link dev.weft.io.WeftServerSocket} and {@link dev.weft.io.WeftSocket} are TCP
 * sockets whose blocking calls put the calling fiber to sleep until the poller sees the
 * socket ready; {@link dev.weft.io.FdWatch} waits on any fd (pipe, eventfd, timerfd);
 * {@link dev.weft.io.ProcessExit} waits for a process through a pidfd;
 * {@link dev.weft.io.SignalWait} waits for a POSIX signal. Native calls go through the
 * JDK's FFM API: the JVM needs {@code --enable-native-access=ALL-UNNAMED}.
 */
package dev.weft.io;
