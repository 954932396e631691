package dev.weft.samples;

import java.util.List;
import java.util.Locale;

/**
 * The demo's report: one self-contained HTML file (inline SVG, no script, no network)
 * with the latency percentile curves of every server on one chart (HdrHistogram style:
 * the x axis spreads the tail, 0% .. 99.99% .. max) and the throughput bars.
 */
final class HtmlReport {
    private HtmlReport() { }

    /** One server's row of the report. */
    record Row(String server, EchoClient.Result result, double cpuSecondsPerSecond) {
        /** Server CPU per echoed message, in microseconds. */
        double cpuMicrosPerMessage() {
            return result.msgsPerSecond() > 0 ? cpuSecondsPerSecond * 1e6 / result.msgsPerSecond() : Double.NaN;
        }
    }

    /** The Netty row, the event-loop reference the others are compared with, if it was run. */
    static java.util.Optional<Row> netty(List<Row> rows) {
        return rows.stream().filter(r -> r.server().equals("netty-epoll")).findFirst();
    }

    /** "1.05x / 0.93x": msgs/s and CPU per message against Netty's; empty without a Netty row. */
    static String vsNetty(Row r, List<Row> rows) {
        return netty(rows).map(n -> String.format(Locale.ROOT, "%.2fx / %.2fx", r.result().msgsPerSecond()
                / n.result().msgsPerSecond(), r.cpuMicrosPerMessage() / n.cpuMicrosPerMessage())).orElse("");
    }

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    static String render(String title, String setup, List<Row> rows) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>")
                .append("<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
                .append("td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}")
                .append("td:first-child,th:first-child{text-align:left}</style></head><body>")
                .append("<h1>").append(esc(title)).append("</h1><p>").append(esc(setup)).append("</p>");
        table(h, rows);
        h.append("<h2>Round-trip latency by percentile</h2>");
        latencyChart(h, rows);
        h.append("<h2>Throughput</h2>");
        throughputBars(h, rows);
        return h.append("</body></html>\n").toString();
    }

    private static void table(StringBuilder h, List<Row> rows) {
        h.append("<table><tr><th>server</th><th>msgs/s</th><th>p50 &micro;s</th><th>p99 &micro;s</th>")
                .append("<th>p99.9 &micro;s</th><th>max &micro;s</th><th>server CPU s/s</th>")
                .append("<th>server CPU &micro;s/msg</th><th>vs Netty (msgs/s / CPU per msg)</th><th>errors</th></tr>");
        for (Row r : rows) {
            EchoClient.Result x = r.result();
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%,.0f</td><td>%,d</td><td>%,d</td><td>%,d</td>"
                    + "<td>%,d</td><td>%.2f</td><td>%.2f</td><td>%s</td><td>%d</td></tr>", esc(r.server()), x.msgsPerSecond(),
                    x.p50(), x.p99(), x.p999(), x.max(), r.cpuSecondsPerSecond(), r.cpuMicrosPerMessage(),
                    esc(vsNetty(r, rows)), x.errors()));
        }
        h.append("</table>");
    }

    /** x = log10(1 / (1 - p)): 0% at 0, 90% at 1, 99% at 2, 99.9% at 3, 99.99% at 4; max drawn at 4.5. */
    private static double x(long millionths) {
        if (millionths >= 1_000_000) {
            return 4.5;
        }
        return Math.log10(1_000_000.0 / (1_000_000 - millionths));
    }

    private static void latencyChart(StringBuilder h, List<Row> rows) {
        int w = 720, ht = 360, left = 70, bottom = 40, top = 10, right = 150;
        double maxY = 1;
        for (Row r : rows) {
            for (long[] p : r.result().curve()) {
                maxY = Math.max(maxY, p[1]);
            }
        }
        double logMax = Math.log10(maxY) + 0.1;
        int pw = w - left - right, ph = ht - top - bottom;
        h.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", w, ht));
        String[] xl = {"0%", "90%", "99%", "99.9%", "99.99%", "max"};
        double[] xv = {0, 1, 2, 3, 4, 4.5};
        for (int i = 0; i < xl.length; i++) {
            double px = left + xv[i] / 4.5 * pw;
            h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                    px, top, px, top + ph, px, top + ph + 16, xl[i]));
        }
        for (int e = 0; e <= (int) Math.ceil(logMax); e++) {
            double py = top + ph - e / logMax * ph;
            if (py < top) {
                break;
            }
            h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                    left, py, left + pw, py, left - 6, py + 4, micros((long) Math.pow(10, e))));
        }
        h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">percentile</text>",
                left + pw / 2, ht - 4));
        for (int i = 0; i < rows.size(); i++) {
            String color = COLORS[i % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (long[] p : rows.get(i).result().curve()) {
                double px = left + x(p[0]) / 4.5 * pw;
                double py = top + ph - Math.log10(Math.max(1, p[1])) / logMax * ph;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            h.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(color).append("\" points=\"")
                    .append(pts).append("\"/>");
            h.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>",
                    left + pw + 12, top + 10 + i * 20, color, left + pw + 30, top + 21 + i * 20, esc(rows.get(i).server())));
        }
        h.append("</svg>");
    }

    private static void throughputBars(StringBuilder h, List<Row> rows) {
        int w = 720, barH = 26, left = 150, right = 110;
        double max = rows.stream().mapToDouble(r -> r.result().msgsPerSecond()).max().orElse(1);
        int ht = rows.size() * (barH + 10) + 10;
        h.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", w, ht));
        for (int i = 0; i < rows.size(); i++) {
            double v = rows.get(i).result().msgsPerSecond();
            double bw = max <= 0 ? 0 : v / max * (w - left - right);
            int y = 10 + i * (barH + 10);
            h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">%s</text>"
                    + "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%,.0f msgs/s</text>",
                    left - 8, y + 17, esc(rows.get(i).server()), left, y, bw, barH, COLORS[i % COLORS.length],
                    left + bw + 6, y + 17, v));
        }
        h.append("</svg>");
    }

    private static String micros(long us) {
        return us >= 1_000_000 ? us / 1_000_000 + " s" : us >= 1000 ? us / 1000 + " ms" : us + " \u00b5s";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
