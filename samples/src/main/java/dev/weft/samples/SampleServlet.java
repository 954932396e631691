package dev.weft.samples;

import dev.weft.scheduler.Fiber;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * A blocking request handler, the kind virtual threads are for, in unchanged JDK code: it
 * sleeps ({@code ?sleep=MS}, {@code Thread.sleep}: on a Weft fiber the JDK's timed park is
 * served by Weft's timers), then makes a blocking JDK-socket call to
 * a backend on loopback (an echo server: it sends the request's {@code ?msg=} and reads it
 * back), and answers with what it saw, including where it ran:
 * <pre>msg=hello fiber=true scheduler=servlet-weft thread=...</pre>
 */
public final class SampleServlet extends HttpServlet {
    private final int backendPort;

    /** A servlet that calls the echo backend on 127.0.0.1:{@code backendPort}. */
    public SampleServlet(int backendPort) {
        this.backendPort = backendPort;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long sleepMs = parse(req.getParameter("sleep"), resp);
        if (sleepMs < 0) {
            return;
        }
        String msg = req.getParameter("msg") == null ? "hello" : req.getParameter("msg");
        try {
            Thread.sleep(Duration.ofMillis(sleepMs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            resp.sendError(503, "interrupted");
            return;
        }
        String echoed = callBackend(msg);
        Fiber f = Fiber.current();
        resp.setContentType("text/plain");
        resp.getWriter().printf("msg=%s fiber=%s scheduler=%s thread=%s%n", echoed, f != null,
                f != null ? f.scheduler().name() : "none", Thread.currentThread());
    }

    private static long parse(String sleep, HttpServletResponse resp) throws IOException {
        if (sleep == null) {
            return 0;
        }
        try {
            long ms = Long.parseLong(sleep);
            if (ms >= 0 && ms <= 60_000) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        resp.sendError(400, "sleep must be a number of milliseconds in [0, 60000], got " + sleep);
        return -1;
    }

    /** The blocking backend call: connect, send, read the echo back. */
    private String callBackend(String msg) throws IOException {
        byte[] out = msg.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] in = new byte[out.length];
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", backendPort), 5000);
            s.setSoTimeout(5000);
            OutputStream os = s.getOutputStream();
            InputStream is = s.getInputStream();
            os.write(out);
            for (int got = 0; got < in.length; ) {
                int n = is.read(in, got, in.length - got);
                if (n < 0) {
                    throw new IOException("backend closed after " + got + " of " + in.length + " bytes");
                }
                got += n;
            }
        }
        return new String(in, java.nio.charset.StandardCharsets.UTF_8);
    }
}
