package dev.weft.bench;

import dev.weft.samples.EchoServers;
import dev.weft.samples.SampleServlet;
import dev.weft.samples.ServletContainers;
import dev.weft.scheduler.WeftScheduler;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One servlet container for an outside load generator (benchmarks/run-servlet-wrk): Jetty
 * 12 or Tomcat 11 serving the unchanged {@link SampleServlet} (Thread.sleep, then a blocking
 * JDK-socket call to an echo backend on loopback, JDK sockets on the default scheduler),
 * its requests on JDK virtual threads ({@code jdk-virtual}) or on Weft fibers
 * ({@code weft}). Prints "listening PORT" and runs until killed.
 * <pre>java ... dev.weft.bench.ServletServer jetty|tomcat jdk-virtual|weft PORT</pre>
 */
public final class ServletServer {
    private ServletServer() { }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ServletServer jetty|tomcat jdk-virtual|weft PORT");
        }
        EchoServers.Running backend = EchoServers.start("jdk-default", 0);
        ExecutorService requests = switch (args[1]) {
            case "weft" -> WeftScheduler.builder().name("servlet-weft").build().newVirtualThreadPerTaskExecutor();
            case "jdk-virtual" -> Executors.newVirtualThreadPerTaskExecutor();
            default -> throw new IllegalArgumentException("jdk-virtual or weft, not " + args[1]);
        };
        SampleServlet servlet = new SampleServlet(backend.port());
        int port = Integer.parseInt(args[2]);
        ServletContainers.Running server = switch (args[0]) {
            case "jetty" -> ServletContainers.jetty(port, servlet, requests);
            case "tomcat" -> ServletContainers.tomcat(port, servlet, requests);
            default -> throw new IllegalArgumentException("jetty or tomcat, not " + args[0]);
        };
        System.out.println("listening " + server.port());
        Thread.currentThread().join();
    }
}
