package dev.weft.scheduler;

import jdk.jfr.Category;
import jdk.jfr.Description;
import java.util.List;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * JFR events for the rare things a scheduler does, so they show up in a recording next
 * to the JDK's own {@code jdk.VirtualThread*} events. Hot paths emit nothing.
 */
final class WeftEvents {
    private WeftEvents() { }

    /**
     * Registers the event classes with JFR up front: an event first created while a
     * recording is already running could otherwise miss that recording's settings.
     */
    static void register() {
        // The static initialiser below does it, once.
    }

    static {
        for (Class<? extends Event> c : List.of(SpareAdded.class, SpareRetired.class, CarrierPinned.class,
                StarvationPromotion.class, WorkerReplaced.class)) {
            FlightRecorder.register(c);
        }
    }

    @Name("dev.weft.SpareWorkerAdded")
    @Label("Spare Worker Added")
    @Category({"Weft", "Scheduler"})
    @Description("A spare carrier was started because carriers were pinned while work was queued")
    static final class SpareAdded extends Event {
        @Label("Scheduler") String scheduler;
        @Label("Pinned Carriers") int pinned;
    }

    @Name("dev.weft.SpareWorkerRetired")
    @Label("Spare Worker Retired")
    @Category({"Weft", "Scheduler"})
    static final class SpareRetired extends Event {
        @Label("Scheduler") String scheduler;
        @Label("Worker") int worker;
    }

    @Name("dev.weft.CarrierPinned")
    @Label("Carrier Pinned")
    @Category({"Weft", "Scheduler"})
    @Description("One fiber has held a carrier past the pinned threshold")
    static final class CarrierPinned extends Event {
        @Label("Scheduler") String scheduler;
        @Label("Worker") int worker;
        @Label("Fiber") Thread fiber;
        @Label("Held For") @Timespan long heldNanos;
    }

    @Name("dev.weft.StarvationPromotion")
    @Label("Starvation Promotion")
    @Category({"Weft", "Scheduler"})
    @Description("Queued work of a priority went unserved for the starvation bound and is served next")
    static final class StarvationPromotion extends Event {
        @Label("Scheduler") String scheduler;
        @Label("Priority") String priority;
        @Label("Waited") @Timespan long waitedNanos;
    }

    @Name("dev.weft.WorkerReplaced")
    @Label("Worker Replaced")
    @Category({"Weft", "Scheduler"})
    static final class WorkerReplaced extends Event {
        @Label("Scheduler") String scheduler;
        @Label("Worker") int worker;
        @Label("Cause") String cause;
    }

    static void spareAdded(String scheduler, int pinned) {
        SpareAdded e = new SpareAdded();
        if (e.shouldCommit()) {
            e.scheduler = scheduler;
            e.pinned = pinned;
            e.commit();
        }
    }

    static void spareRetired(String scheduler, int worker) {
        SpareRetired e = new SpareRetired();
        if (e.shouldCommit()) {
            e.scheduler = scheduler;
            e.worker = worker;
            e.commit();
        }
    }

    static void carrierPinned(String scheduler, int worker, Thread fiber, long heldNanos) {
        CarrierPinned e = new CarrierPinned();
        if (e.shouldCommit()) {
            e.scheduler = scheduler;
            e.worker = worker;
            e.fiber = fiber;
            e.heldNanos = heldNanos;
            e.commit();
        }
    }

    static void starvationPromotion(String scheduler, Priority priority, long waitedNanos) {
        StarvationPromotion e = new StarvationPromotion();
        if (e.shouldCommit()) {
            e.scheduler = scheduler;
            e.priority = priority.name();
            e.waitedNanos = waitedNanos;
            e.commit();
        }
    }

    static void workerReplaced(String scheduler, int worker, Throwable cause) {
        WorkerReplaced e = new WorkerReplaced();
        if (e.shouldCommit()) {
            e.scheduler = scheduler;
            e.worker = worker;
            e.cause = String.valueOf(cause);
            e.commit();
        }
    }
}
