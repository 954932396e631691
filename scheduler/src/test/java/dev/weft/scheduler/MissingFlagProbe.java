package dev.weft.scheduler;

/** Child-JVM main run without --add-opens: exit 3 with the scheduler's message, 0 if it (wrongly) started. */
public final class MissingFlagProbe {
    public static void main(String[] args) {
        try (WeftScheduler s = WeftScheduler.builder().workers(1).build()) {
            System.out.println("started without the flag: " + s);
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
            System.exit(3);
        }
    }
}
