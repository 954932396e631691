package dev.weft.scheduler;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;

/**
 * The test kit's model checker: Lincheck's model checking (it explores the interleavings
 * of the threads' operations, switching threads at every shared access, and reports the
 * one that breaks a check with a full trace) over exactly the scenarios a protocol test
 * names: which operations each thread runs, after which set-up; the invariant to check
 * once all have run is the test class's {@code @Validate} method. A scenario whose interleaving hangs (a lost wake-up: every
 * live thread parked) fails as "the execution has hung".
 *
 * <p>Operations are public no-argument methods of the test class, which Lincheck
 * instantiates afresh for every interleaving; the sequential specification is a class of
 * no-op methods of the same names (the checks here are the invariants and the absence of
 * hangs, not linearizability). Model tests are named {@code *ModelTest}: the build runs
 * them in a JVM of their own (Lincheck instruments the classes it runs).
 */
public final class Models {
    private Models() { }

    /** A scenario: set-up operations, then the operations of each thread. */
    public record Scenario(List<String> init, List<List<String>> threads) {
        public static Scenario of(List<String> init, String[]... threads) {
            List<List<String>> t = new ArrayList<>();
            for (String[] ops : threads) {
                t.add(Arrays.asList(ops));
            }
            return new Scenario(init, t);
        }
    }

    /** Model-checks {@code test}'s operations over each scenario, {@code invocations} interleavings each. */
    public static void check(Class<?> test, Class<?> spec, int invocations, Scenario... scenarios) {
        ModelCheckingOptions o = new ModelCheckingOptions().iterations(0).invocationsPerIteration(invocations)
                .sequentialSpecification(spec);
        for (Scenario s : scenarios) {
            List<List<Actor>> parallel = new ArrayList<>();
            for (List<String> thread : s.threads()) {
                parallel.add(actors(test, thread));
            }
            o.addCustomScenario(new ExecutionScenario(actors(test, s.init()), parallel, List.of(), null));
        }
        o.check(test);
    }

    private static List<Actor> actors(Class<?> test, List<String> names) {
        List<Actor> out = new ArrayList<>();
        for (String n : names) {
            out.add(actor(test, n));
        }
        return out;
    }

    private static Actor actor(Class<?> test, String name) {
        try {
            Method m = test.getMethod(name);
            return new Actor(m, List.of());
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(test.getName() + " has no public operation " + name + "()", e);
        }
    }
}
