package dev.weft.samples;

import dev.weft.scheduler.WeftScheduler;
import java.util.Locale;
import java.util.concurrent.ExecutorService;

/**
 * The sample servlet app on Weft: an echo backend on loopback and {@link SampleServlet}
 * served by Jetty or Tomcat whose requests run on Weft fibers.
 * <pre>java ... dev.weft.samples.ServletApp jetty|tomcat [PORT]</pre>
 * then {@code curl 'http://127.0.0.1:PORT/?sleep=20&msg=hi'}.
 */
public final class ServletApp {
    private ServletApp() { }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !(args[0].equals("jetty") || args[0].equals("tomcat"))) {
            System.err.println("usage: ServletApp jetty|tomcat [PORT]");
            System.exit(2);
        }
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8080;
        WeftScheduler weft = WeftScheduler.builder().name("servlet-weft").build();
        EchoServers.Running backend = EchoServers.weftSockets(0, weft, dev.weft.scheduler.Priority.NORMAL);
        ExecutorService requests = weft.newVirtualThreadPerTaskExecutor();
        SampleServlet servlet = new SampleServlet(backend.port());
        ServletContainers.Running server = args[0].equals("jetty")
                ? ServletContainers.jetty(port, servlet, requests)
                : ServletContainers.tomcat(port, servlet, requests);
        System.out.printf(Locale.ROOT, "%s on Weft: http://127.0.0.1:%d/?sleep=20&msg=hi  (backend echo on %d); Ctrl-C to stop%n",
                args[0], server.port(), backend.port());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            backend.close();
            requests.close();
            weft.close();
        }));
        Thread.currentThread().join();
    }
}
