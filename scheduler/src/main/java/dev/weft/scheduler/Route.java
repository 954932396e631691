package dev.weft.scheduler;

import java.util.concurrent.Executor;

/**
 * What the JDK sees as a virtual thread's scheduler: an {@link Executor} that knows
 * where the thread's work goes (a scheduler, a priority, and for bound fibers the one
 * thread that serves them).
 *
 * <p>Two kinds exist. A {@link Fiber} is the route of exactly one thread (its control
 * block). A {@link Shared} route is what a builder or thread factory hands the JDK:
 * every thread built from it submits its start through it, and the start
 * {@linkplain WeftScheduler#start adopts} the thread: a new Fiber is made and bound
 * as the thread's scheduler, so each later submission of that thread goes to its own
 * Fiber. A Fiber receiving a continuation that is not its own sees the start of a
 * child created with plain {@code Thread.ofVirtual()} (the JDK made the child inherit
 * the parent's scheduler object) and adopts it the same way, at the parent's priority.
 */
abstract sealed class Route implements Executor permits Fiber, Route.Shared {
    final WeftScheduler scheduler;
    final BoundLane bound;            // null: served by the worker pool

    Route(WeftScheduler scheduler, BoundLane bound) {
        this.scheduler = scheduler;
        this.bound = bound;
    }

    /** The priority this route submits at now. */
    abstract Priority routePriority();

    /** The entry route of builders and factories: fixed priority, adopts every start. */
    static final class Shared extends Route {
        private final Priority priority;

        Shared(WeftScheduler scheduler, Priority priority, BoundLane bound) {
            super(scheduler, bound);
            this.priority = priority;
        }

        @Override
        Priority routePriority() {
            return priority;
        }

        /** Called by the JDK with the continuation of a thread being started. */
        @Override
        public void execute(Runnable continuation) {
            scheduler.start(continuation, priority, bound);
        }

        @Override
        public String toString() {
            return scheduler.name() + "/" + priority + (bound == null ? "" : "/" + bound.name());
        }
    }
}
