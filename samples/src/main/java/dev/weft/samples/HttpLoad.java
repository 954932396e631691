package dev.weft.samples;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An HTTP/1.1 load generator (the in-tree stand-in for wrk, which these machines lack):
 * keep-alive connections, each in a closed loop of GET requests, reading each response by
 * its Content-Length or chunked encoding; same driver, progress and result lines as
 * {@link EchoClient}.
 * <pre>java ... dev.weft.samples.HttpLoad PORT CONNECTIONS WARMUP_S DURATION_S PATH_AND_QUERY</pre>
 */
public final class HttpLoad {
    private HttpLoad() { }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            throw new IllegalArgumentException("usage: HttpLoad PORT CONNECTIONS WARMUP_S DURATION_S PATH_AND_QUERY");
        }
        int port = Integer.parseInt(args[0]);
        byte[] request = ("GET " + args[4] + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        EchoClient.Result r = EchoClient.drive(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Integer.parseInt(args[3]), line -> {
                    System.out.println(line);
                    System.out.flush();
                }, (phase, count, h) -> {
                    while (!phase.stop) {                   // a new connection when the server closes one
                        try (Socket s = new Socket()) {
                            s.setTcpNoDelay(true);
                            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                            OutputStream out = s.getOutputStream();
                            InputStream in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
                            for (boolean open = true; open && !phase.stop; ) {
                                long t0 = System.nanoTime();
                                out.write(request);
                                open = readResponse(in);
                                phase.record(h, count, t0);
                            }
                        }
                    }
                });
        System.out.println(r.toLine());
        System.out.flush();
    }

    /**
     * Reads one response; fails on a status other than 200. Returns false when the server
     * closes the connection after it ("Connection: close", as Tomcat does every 100 requests
     * by default).
     */
    static boolean readResponse(InputStream in) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("unexpected response: " + status);
        }
        long length = -1;
        boolean chunked = false, keepAlive = true;
        for (String h; !(h = line(in)).isEmpty(); ) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(h.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                keepAlive = false;
            }
        }
        if (chunked) {
            for (long size; (size = Long.parseLong(line(in).trim().split(";")[0], 16)) > 0; ) {
                skip(in, size);
                line(in);
            }
            line(in);                                   // the blank line after the last chunk
        } else if (length >= 0) {
            skip(in, length);
        } else {
            throw new IOException("response without length: keep-alive load needs Content-Length or chunked");
        }
        return keepAlive;
    }

    private static void skip(InputStream in, long n) throws IOException {
        for (long left = n; left > 0; ) {
            long k = in.skip(left);
            if (k <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed inside a response body");
                }
                k = 1;
            }
            left -= k;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed inside a response");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
