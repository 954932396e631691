package dev.weft.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Load generators ({@link EchoClient}, {@link HttpLoad}) in their own JVM, so client and server do not share one. */
public final class LoadProcess {
    private LoadProcess() { }

    /**
     * Runs a load generator's main in its own JVM (same java, same class path), relays its
     * "progress" lines and returns its "result" line.
     */
    public static EchoClient.Result run(Class<?> main, Consumer<String> progress, String... args)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        EchoClient.Result result = null;
        StringBuilder other = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("progress ")) {
                    progress.accept(line);
                } else if (line.startsWith("result ")) {
                    result = EchoClient.Result.parse(line);
                } else {
                    other.append(line).append('\n');
                }
            }
        }
        int exit = p.waitFor();
        if (result == null) {
            throw new IOException(main.getSimpleName() + " exited with " + exit + " and no result:\n" + other);
        }
        return result;
    }
}
