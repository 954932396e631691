package dev.weft.samples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.Bounded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server that runs out of file descriptors keeps accepting once descriptors are free
 * again. The server runs in its own JVM under {@code ulimit -n}; more clients connect than
 * it has descriptors for (the kernel completes their handshakes into the backlog, accept
 * fails with EMFILE), they all leave, and a new client must then be served.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AcceptUnderFdExhaustionTest {
    private static final int FD_LIMIT = 256, CLIENTS = 400;
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @ParameterizedTest
    @ValueSource(strings = {"weft-jdk-sockets", "weft-sockets"})
    void serverKeepsServingAfterRunningOutOfDescriptors(String kind) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = "ulimit -n " + FD_LIMIT + " && exec '" + java + "' " + System.getProperty("weft.jvm.flags", "")
                + " -Xmx256m -cp '" + System.getProperty("java.class.path") + "' " + EchoDemo.class.getName()
                + " --listen 0 --servers " + kind;
        Process server = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            int port = awaitPort(out, output);
            Thread.ofPlatform().daemon().start(() -> drain(out, output));
            List<Socket> flood = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                flood.add(new Socket("127.0.0.1", port));
            }
            Path fds = Path.of("/proc", Long.toString(server.pid()), "fd");   // sh exec'd the JVM: same pid
            await().atMost(Bounded.HANG).until(() -> openFds(fds) >= FD_LIMIT - 2);   // the server is out of descriptors
            for (Socket s : flood) {
                s.close();
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                probe.setSoTimeout(15_000);
                OutputStream o = probe.getOutputStream();
                InputStream in = probe.getInputStream();
                byte[] msg = "after the flood".getBytes(StandardCharsets.UTF_8);
                o.write(msg);
                byte[] back = in.readNBytes(msg.length);
                assertArrayEquals(msg, back, "a client after the descriptor exhaustion is served; server said:\n" + output);
            } catch (IOException e) {
                fail("no echo after the descriptor exhaustion (" + e + "); server said:\n" + output, e);
            }
            await().atMost(Bounded.HANG).until(() -> {                // logged when the burst ended, at the latest
                synchronized (output) {
                    return output.toString().contains("accepting again after")
                            && (output.toString().contains("EMFILE") || output.toString().contains("Too many open files"));
                }
            });
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static long openFds(Path dir) throws IOException {
        try (var list = java.nio.file.Files.list(dir)) {
            return list.count();
        }
    }

    private static int awaitPort(BufferedReader out, StringBuilder output) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            output.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("server exited before listening:\n" + output);
    }

    private static void drain(BufferedReader out, StringBuilder output) {
        try {
            for (String line; (line = out.readLine()) != null; ) {
                synchronized (output) {
                    output.append(line).append('\n');
                }
            }
        } catch (IOException gone) {
            // the server was stopped
        }
    }
}
