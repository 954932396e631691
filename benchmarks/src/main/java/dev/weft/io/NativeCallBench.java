package dev.weft.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * FFM (Weft's {@link Syscalls}: critical downcalls with errno capture) against JNR-POSIX /
 * JNR-FFI for the calls the poller's hot paths make: getpid (pure call overhead), read of
 * 64 bytes from /dev/zero and write of 64 bytes to /dev/null into a heap array, and
 * epoll_wait with timeout 0 on an empty epoll set.
 *
 * <pre>benchmarks/run-jmh NativeCallBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED"})
public class NativeCallBench {
    /** epoll through JNR-FFI (JNR-POSIX has no epoll). */
    public interface JnrEpoll {
        int epoll_create1(int flags);

        int epoll_wait(int epfd, Pointer events, int maxevents, int timeout);
    }

    private POSIX posix;
    private JnrEpoll jnrEpoll;
    private Pointer jnrEvents;
    private int zero, nul, epfd;
    private final byte[] buf = new byte[64];
    private MemorySegment heapSeg;
    private MemorySegment events;
    private Arena arena;

    @Setup(Level.Trial)
    public void setup() {
        posix = POSIXFactory.getNativePOSIX();
        jnrEpoll = LibraryLoader.create(JnrEpoll.class).load("c");
        jnrEvents = Memory.allocateDirect(jnr.ffi.Runtime.getSystemRuntime(), 16 * 16);
        zero = posix.open("/dev/zero", 0, 0);
        nul = posix.open("/dev/null", 1, 0);
        epfd = Syscalls.epollCreate1(Linux.EPOLL_CLOEXEC);
        heapSeg = MemorySegment.ofArray(buf);
        arena = Arena.ofConfined();
        events = arena.allocate(16 * 16, 8);
        if (zero < 0 || nul < 0 || epfd < 0) {
            throw new IllegalStateException("setup failed: " + zero + " " + nul + " " + epfd);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        posix.close(zero);
        posix.close(nul);
        Syscalls.close(epfd);
        arena.close();
    }

    @Benchmark
    public int getpidFfm() {
        return Syscalls.getpid();
    }

    @Benchmark
    public int getpidJnr() {
        return posix.getpid();
    }

    @Benchmark
    public long readFfm() {
        return Syscalls.read(zero, heapSeg, 64);
    }

    @Benchmark
    public long readFfmFreshSegment() {
        return Syscalls.read(zero, MemorySegment.ofArray(buf), 64);   // what WeftSocket.read(byte[]) does
    }

    @Benchmark
    public int readJnr() {
        return posix.read(zero, buf, 64);
    }

    @Benchmark
    public long writeFfm() {
        return Syscalls.write(nul, heapSeg, 64);
    }

    @Benchmark
    public int writeJnr() {
        return posix.write(nul, buf, 64);
    }

    @Benchmark
    public int epollWaitFfm() {
        return Syscalls.epollWait(epfd, events, 16, 0);
    }

    @Benchmark
    public int epollWaitJnr() {
        return jnrEpoll.epoll_wait(epfd, jnrEvents, 16, 0);
    }
}
