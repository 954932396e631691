package dev.weft.samples;

import jakarta.servlet.http.HttpServlet;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Embedded servlet containers whose request handling runs on a given virtual-thread
 * executor — Weft's, or the JDK's for comparison. Both containers' built-in virtual
 * executors start threads from platform threads, which land on the JDK's default
 * scheduler, so Weft's executor has to be passed in, as here.
 *
 * <p>Jetty 12.1: a {@link QueuedThreadPool} with {@code setVirtualThreadsExecutor}: the
 * selectors and acceptors stay on the pool's platform threads (they block in epoll_wait,
 * which would pin a carrier) and each blocking request (servlets are blocking) runs on a
 * new virtual thread from the executor. Jetty's VirtualThreadPool would put the
 * selectors on virtual threads as well; not chosen for that reason. Graceful stop: a
 * {@link GracefulHandler} and a stop timeout, so in-flight requests finish.
 *
 * <p>Tomcat 11: the connector's protocol handler gets the executor
 * ({@code setExecutor}); Tomcat then runs every request on it and leaves its lifecycle to
 * us. Graceful stop: the connector is paused (no new connections), in-flight requests are
 * counted down ({@link InFlight}), then Tomcat stops. Tomcat's own
 * {@code gracefulStopAwaitMillis} waits for the client connections to close instead, so a
 * keep-alive client held every stop for the whole grace period (measured: 30 s).
 */
public final class ServletContainers {
    private ServletContainers() { }

    private interface Stop {
        void run() throws Exception;
    }

    /** A started container: its port, and how it stops. */
    private record Started(java.util.function.IntSupplier portOf, Stop stop) implements Running {
        @Override
        public int port() {
            return portOf.getAsInt();
        }

        @Override
        public void close() {
            try {
                stop.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the container", e);
            } catch (Exception e) {
                throw new IllegalStateException("the container failed to stop", e);
            }
        }
    }

    private static void deleteTree(java.nio.file.Path root) throws java.io.IOException {
        try (java.util.stream.Stream<java.nio.file.Path> all = Files.walk(root)) {
            for (java.nio.file.Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Counts the requests inside a servlet, so a stop can wait for them. */
    static final class InFlight extends HttpServlet {
        private final HttpServlet inner;
        private int active;                      // guarded by this

        InFlight(HttpServlet inner) {
            this.inner = inner;
        }

        @Override
        public void init(jakarta.servlet.ServletConfig config) throws jakarta.servlet.ServletException {
            super.init(config);
            inner.init(config);
        }

        @Override
        public void service(jakarta.servlet.ServletRequest req, jakarta.servlet.ServletResponse resp)
                throws jakarta.servlet.ServletException, java.io.IOException {
            synchronized (this) {
                active++;
            }
            try {
                inner.service(req, resp);
            } finally {
                synchronized (this) {
                    if (--active == 0) {
                        notifyAll();
                    }
                }
            }
        }

        @Override
        public void destroy() {
            inner.destroy();
        }

        /** Requests inside now. */
        synchronized int active() {
            return active;
        }

        /** Waits until no request is inside, at most {@code grace}; true if none is. */
        synchronized boolean awaitIdle(Duration grace) throws InterruptedException {
            long deadline = System.nanoTime() + grace.toNanos();
            for (long left; active > 0 && (left = deadline - System.nanoTime()) > 0; ) {
                wait(Math.max(1, left / 1_000_000));
            }
            return active == 0;
        }
    }

    /** A started container. */
    public interface Running extends AutoCloseable {
        int port();

        /**
         * Stops accepting, lets in-flight requests finish (up to the grace period), stops.
         *
         * @throws IllegalStateException if the container fails to stop (the cause attached)
         */
        @Override
        void close();
    }

    /** The grace period of a stop. */
    static final Duration GRACE = Duration.ofSeconds(30);

    /**
     * Jetty on 127.0.0.1:{@code port} (0: any), {@code servlet} at /*, requests on
     * {@code virtualThreads} (null: Jetty's platform thread pool).
     */
    public static Running jetty(int port, HttpServlet servlet, ExecutorService virtualThreads) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(200, 8);
        pool.setName("jetty");
        if (virtualThreads != null) {
            pool.setVirtualThreadsExecutor(virtualThreads);
        }
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(servlet), "/*");
        server.setHandler(new GracefulHandler(context));
        server.setStopTimeout(GRACE.toMillis());
        server.start();
        return new Started(connector::getLocalPort, server::stop);
    }

    /**
     * Tomcat on 127.0.0.1:{@code port} (0: any), {@code servlet} at /*, requests on
     * {@code executor} (null: Tomcat's own platform thread pool).
     */
    public static Running tomcat(int port, HttpServlet servlet, ExecutorService executor) throws Exception {
        File base = Files.createTempDirectory("weft-tomcat").toFile();
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.getAbsolutePath());
        Connector connector = new Connector();
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("acceptCount", "4096");
        connector.setProperty("maxConnections", "10000");
        if (executor != null) {
            connector.getProtocolHandler().setExecutor(executor);
        }
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.getAbsolutePath());
        InFlight counted = new InFlight(servlet);
        Tomcat.addServlet(context, "sample", counted);
        context.addServletMappingDecoded("/*", "sample");
        tomcat.start();
        return new Started(connector::getLocalPort, () -> {
            connector.pause();
            counted.awaitIdle(GRACE);
            tomcat.stop();
            tomcat.destroy();
            deleteTree(base.toPath());                 // Tomcat's work directory: nothing left behind
            base.deleteOnExit();                       // Tomcat may recreate the empty base dir late in its stop
        });
    }
}
