package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JdkInterplayTest {

    @Test
    void blockingSocketReadInAFiberWorks() throws Exception {
        try (WeftScheduler s = WeftScheduler.builder().workers(2).build();
             ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicReference<String> got = new AtomicReference<>();
            Thread reader = s.ofVirtual().start(() -> {
                try (Socket c = server.accept(); InputStream in = c.getInputStream()) {
                    got.set(new String(in.readNBytes(5)));
                } catch (Exception e) {
                    got.set(e.toString());
                }
            });
            try (Socket out = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 OutputStream os = out.getOutputStream()) {
                os.write("hello".getBytes());
            }
            reader.join();
            assertEquals("hello", got.get());
        }
    }

    /** In a fresh JVM, where a Weft fiber does the first socket I/O: the JDK's sub-pollers stay off Weft. */
    @Test
    void jdkSubPollersNeverLandOnWeft() throws Exception {
        ChildJvm.Result r = ChildJvm.run(PollerProbe.class,
                List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED",
                        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-Djdk.pollerMode=2"));
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("sub-pollers on Weft: 0"), r.output());
    }

    @Test
    void missingAddOpensFailsNamingTheFlag() throws Exception {
        ChildJvm.Result r = ChildJvm.run(MissingFlagProbe.class, List.of());
        assertEquals(3, r.exitCode(), r.output());
        assertTrue(r.output().contains("--add-opens java.base/java.lang=ALL-UNNAMED"), r.output());
    }
}
