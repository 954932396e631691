package dev.weft.samples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.Weft;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The demo, the echo servers under bad clients, soak, and the drop-in example. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SamplesTest {
    @Test
    void badFlagsAreRefusedNamingTheFlag() {
        assertEquals("--connections must be >= 1, got 0",
                assertThrows(EchoDemo.UsageException.class, () -> EchoDemo.Options.parse(new String[] {"--connections", "0"})).getMessage());
        assertTrue(assertThrows(EchoDemo.UsageException.class,
                () -> EchoDemo.Options.parse(new String[] {"--servers", "jdk-default,nope"})).getMessage().contains("unknown server nope"));
        assertEquals("--size takes a number, got x",
                assertThrows(EchoDemo.UsageException.class, () -> EchoDemo.Options.parse(new String[] {"--size", "x"})).getMessage());
        assertEquals("--duration needs a value",
                assertThrows(EchoDemo.UsageException.class, () -> EchoDemo.Options.parse(new String[] {"--duration"})).getMessage());
        assertEquals(1000, EchoDemo.Options.parse(new String[] {"--soak"}).connections(), "soak defaults to 1,000");
    }

    /** Every server answers the load generator; the report has a curve and a bar per server. */
    @Test
    void comparisonInProcessWritesTheReport(@TempDir Path dir) throws Exception {
        EchoDemo.Options o = EchoDemo.Options.parse(new String[] {"--connections", "20", "--duration", "1", "--warmup", "0",
                "--in-process", "--report", dir.resolve("r.html").toString()});
        List<HtmlReport.Row> rows = new ArrayList<>();
        for (String kind : EchoServers.KINDS) {
            try (EchoServers.Running s = EchoServers.start(kind, 0)) {
                HtmlReport.Row r = EchoDemo.measure(kind, s.port(), o);
                assertTrue(r.result().msgsPerSecond() > 0, kind);
                assertEquals(0, r.result().errors(), kind);
                assertTrue(r.result().p50() <= r.result().p99() && r.result().p99() <= r.result().max(), kind);
                rows.add(r);
            }
        }
        String html = HtmlReport.render("t", "setup", rows);
        Files.writeString(o.report(), html);
        assertEquals(2, html.split("<svg", -1).length - 1, "a latency chart and a throughput chart");
        assertTrue(html.contains("server CPU &micro;s/msg") && html.contains("1.00x / 1.00x"),
                "CPU per message, and Netty against itself in the vs-Netty column");
        assertEquals(EchoServers.KINDS.size(), html.split("<polyline", -1).length - 1, "one curve per server");
        for (String kind : EchoServers.KINDS) {
            assertTrue(html.contains(kind));
        }
    }

    /** The load generator as its own process, as the demo runs it. */
    @Test
    void loadGeneratorInItsOwnProcess() throws Exception {
        try (EchoServers.Running s = EchoServers.start("weft-sockets", 0)) {
            List<String> progress = new ArrayList<>();
            EchoClient.Result r = EchoDemo.runClientProcess(s.port(), 10, 64, 0, 1, progress::add);
            assertTrue(r.msgsPerSecond() > 0);
            assertFalse(progress.isEmpty(), "progress lines relayed");
        }
    }

    /**
     * Bad clients: one connects and never sends, one sends half a message and resets, one
     * floods without reading. The server stays up, a good client is served meanwhile, and
     * once the bad ones are gone every connection is freed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"weft-sockets", "weft-jdk-sockets", "netty-epoll"})
    void badClientsDoNotHurtOthersAndAreFreed(String kind) throws Exception {
        try (EchoServers.Running s = EchoServers.start(kind, 0)) {
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", s.port());
            Socket silent = new Socket();
            silent.connect(at);
            Socket half = new Socket();
            half.connect(at);
            half.getOutputStream().write(new byte[] {1, 2, 3});
            half.setSoLinger(true, 0);
            half.close();                                  // RST after half a message
            Socket flood = new Socket();
            flood.connect(at);
            flood.setSoTimeout(0);
            Thread flooder = Thread.ofPlatform().start(() -> {
                byte[] junk = new byte[64 * 1024];
                try (OutputStream out = flood.getOutputStream()) {
                    for (;;) {
                        out.write(junk);                  // never reads: both directions fill up and block
                    }
                } catch (Exception closedByTest) {
                    // the test closed it
                }
            });
            try (Socket good = new Socket()) {
                good.connect(at);
                good.setSoTimeout(10_000);
                OutputStream out = good.getOutputStream();
                InputStream in = good.getInputStream();
                for (int i = 0; i < 1000; i++) {
                    out.write(new byte[] {(byte) i, 42});
                    assertEquals((byte) i, (byte) in.read(), "good client served at round " + i);
                    assertEquals(42, in.read());
                }
            }
            silent.close();
            flood.close();
            flooder.join();
            await().atMost(Duration.ofSeconds(30)).until(() -> s.connections() == 0);
        }
    }

    @Test
    void priorityDemoPrintsBothProbesWithAndWithoutTheFlood() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        PriorityDemo.run(EchoDemo.Options.parse(new String[] {"--priority", "--connections", "20", "--duration", "1",
                "--warmup", "0"}), new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        for (String row : new String[] {"probe HIGH, flood LOW", "probe NORMAL, flood NORMAL", "probe HIGH, no flood",
                "probe NORMAL, no flood", "probe p99 under the flood, HIGH / NORMAL:", "probe p99 at HIGH, flood / no flood:"}) {
            assertTrue(out.contains(row), "missing \"" + row + "\" in:\n" + out);
        }
    }

    @Test
    void soakComesBackToBaseline() throws Exception {
        // The in-process client is JDK sockets on JDK virtual threads: the JDK's poller epoll
        // fds are made at their first use and kept. Made now, before the soak's baseline.
        try (EchoServers.Running warm = EchoServers.start("jdk-default", 0);
             java.net.Socket c = new java.net.Socket("127.0.0.1", warm.port())) {
            Thread.ofVirtual().start(() -> {
                try {
                    c.getOutputStream().write(1);
                    c.getInputStream().read();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).join();
        }
        List<String> lines = new ArrayList<>();
        Soak.Outcome out = Soak.run(EchoDemo.Options.parse(new String[] {"--soak", "--connections", "300",
                "--duration", "3", "--in-process"}), lines::add);
        assertTrue(out.peak().connections() > 0, "connections were open during the soak: " + lines);
        assertTrue(out.peak().fibers() > out.before().fibers(), "a fiber per connection: " + lines);
        assertEquals(0, out.load().errors(), String.join("\n", lines));
        assertTrue(out.backToBaseline(), String.join("\n", lines));
    }

    @Test
    void dropInCodeRunsOnWeftWhenCalledFromAFiber() throws Exception {
        assertEquals(0, DropIn.legacyProgram(), "from a platform thread: the JDK's scheduler");
        int[] onWeft = new int[1];
        Weft.ofVirtual().start(() -> {
            try {
                onWeft[0] = DropIn.legacyProgram();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).join();
        assertEquals(100, onWeft[0], "from a Weft fiber: every task inherited Weft");
    }
}
