package dev.weft.scheduler;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Child-JVM main: first socket I/O of the JVM inside a Weft fiber, then count JDK sub-pollers bound to Weft. */
public final class PollerProbe {
    public static void main(String[] args) throws Exception {
        try (WeftScheduler s = WeftScheduler.builder().workers(1).build();
             ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            s.ofVirtual().start(() -> {
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    c.getOutputStream().write(1);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket a = server.accept()) {
                a.getInputStream().read();
            }
            Class<?> pollerClass = Class.forName("sun.nio.ch.Poller");
            Field pollersField = pollerClass.getDeclaredField("POLLERS");
            pollersField.setAccessible(true);
            Object pollers = pollersField.get(null);
            int onWeft = 0, seen = 0;
            for (String name : new String[] {"readPollers", "writePollers"}) {
                Field f = pollers.getClass().getDeclaredField(name);
                f.setAccessible(true);
                for (Object poller : (Object[]) f.get(pollers)) {
                    Field owner = pollerClass.getDeclaredField("owner");
                    owner.setAccessible(true);
                    Thread t = (Thread) owner.get(poller);
                    if (t != null) {
                        seen++;
                        if (t.isVirtual() && CarrierHook.schedulerOf(t) instanceof Route) {
                            onWeft++;
                        }
                    }
                }
            }
            System.out.println("sub-pollers seen: " + seen);
            System.out.println("sub-pollers on Weft: " + onWeft);
        }
    }
}
