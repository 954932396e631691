package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.scheduler.Priority;
import dev.weft.scheduler.WeftScheduler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/** Jetty 12 and Tomcat 11 serving requests on Weft fibers, over real HTTP. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServletContainersTest {
    private WeftScheduler weft;
    private EchoServers.Running backend;
    private ExecutorService requests;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
            .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()).build();

    @BeforeEach
    void start() throws Exception {
        weft = WeftScheduler.builder().name("servlet-weft").build();
        backend = EchoServers.weftSockets(0, weft, Priority.NORMAL);
        requests = weft.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void stop() {
        backend.close();
        requests.close();
        weft.close();
        http.close();
    }

    private ServletContainers.Running container(String which) throws Exception {
        return container(which, new SampleServlet(backend.port()));
    }

    private ServletContainers.Running container(String which, jakarta.servlet.http.HttpServlet servlet) throws Exception {
        return which.equals("jetty") ? ServletContainers.jetty(0, servlet, requests)
                                     : ServletContainers.tomcat(0, servlet, requests);
    }

    private CompletableFuture<HttpResponse<String>> get(int port, String query) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/?" + query))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** 1,000 concurrent requests, each sleeping on Weft's timers and calling the backend: all answered, all on Weft. */
    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void thousandConcurrentRequestsRunOnWeftFibers(String which) throws Exception {
        try (ServletContainers.Running c = container(which)) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                all.add(get(c.port(), "sleep=20&msg=m" + i));
            }
            for (int i = 0; i < all.size(); i++) {
                HttpResponse<String> r = all.get(i).get(120, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().startsWith("msg=m" + i + " fiber=true scheduler=servlet-weft"), r.body());
            }
        }
    }

    /** The in-tree HTTP load generator (the benchmark's client) reads both containers' responses. */
    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void httpLoadDrivesTheContainer(String which) throws Exception {
        try (ServletContainers.Running c = container(which)) {
            EchoClient.Result r = LoadProcess.run(HttpLoad.class, line -> { }, String.valueOf(c.port()), "8", "0", "1",
                    "/?sleep=0&msg=load");
            assertTrue(r.msgsPerSecond() > 0);
            assertEquals(0, r.errors());
        }
    }

    /** Bad input gets a clear 400, not a 500. */
    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void badSleepIsRefused(String which) throws Exception {
        try (ServletContainers.Running c = container(which)) {
            HttpResponse<String> r = get(c.port(), "sleep=-5").get(30, TimeUnit.SECONDS);
            assertEquals(400, r.statusCode());
        }
    }

    /** A stop while requests are in flight lets every one of them finish. */
    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void gracefulStopLosesNoInFlightRequest(String which) throws Exception {
        ServletContainers.InFlight counted = new ServletContainers.InFlight(new SampleServlet(backend.port()));
        ServletContainers.Running c = container(which, counted);
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            inFlight.add(get(c.port(), "sleep=3000&msg=s" + i));    // longer than Tomcat's own 2 s unload wait
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> counted.active() == 100);                // every request inside the servlet
        c.close();                                                    // graceful: waits for them
        for (int i = 0; i < inFlight.size(); i++) {
            HttpResponse<String> r = inFlight.get(i).get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), "request " + i + ": " + r.body());
            assertTrue(r.body().startsWith("msg=s" + i + " "), r.body());
        }
    }
}
