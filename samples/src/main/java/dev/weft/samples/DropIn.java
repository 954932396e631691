package dev.weft.samples;

import dev.weft.scheduler.Weft;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Moving an existing code base to Weft with one line. {@link #legacyProgram()} is
 * unchanged JDK code: it uses {@code Executors.newVirtualThreadPerTaskExecutor()}. Run
 * from a Weft fiber, its virtual threads run on Weft too: a virtual thread created by a
 * virtual thread inherits its scheduler. The one line:
 * <pre>{@code
 *   Weft.ofVirtual().start(DropIn::legacyProgram).join();   // was: legacyProgram();
 * }</pre>
 * Or hand Weft's own factories to code that takes them: {@code Weft.threadFactory()},
 * {@code Weft.newVirtualThreadPerTaskExecutor()}, {@code Weft.ofVirtual()}.
 */
public final class DropIn {
    private DropIn() { }

    /** Existing code, untouched: fans out 100 tasks on JDK virtual threads; returns how many ran on Weft. */
    static int legacyProgram() throws Exception {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                results.add(ex.submit((Callable<Boolean>) Weft::isFiber));
            }
            int onWeft = 0;
            for (Future<Boolean> f : results) {
                onWeft += f.get() ? 1 : 0;
            }
            return onWeft;
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.println("called from main:           " + legacyProgram() + " of 100 tasks ran on Weft");
        int[] onWeft = new int[1];
        Weft.ofVirtual().start(() -> {
            try {
                onWeft[0] = legacyProgram();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).join();
        System.out.println("called from a Weft fiber:   " + onWeft[0] + " of 100 tasks ran on Weft");
        System.exit(0);
    }
}
