package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

class ObservabilityTest {

    @Test
    void mxBeanIsRegisteredWhileRunningAndReportsCounters() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName on = ObjectName.getInstance("dev.weft:type=Scheduler,name=" + ObjectName.quote("mx-test"));
        WeftScheduler s = WeftScheduler.builder().workers(2).name("mx-test").build();
        try {
            assertTrue(server.isRegistered(on));
            for (int i = 0; i < 100; i++) {
                s.ofVirtual().start(Thread::yield).join();
            }
            assertEquals(2, server.getAttribute(on, "Workers"));
            // a worker counts a slice after it ran it, so the last fiber's join may return first
            org.awaitility.Awaitility.await().atMost(Bounded.HANG)
                    .until(() -> (Long) server.getAttribute(on, "TasksRun") >= 200);
            assertEquals(0L, server.getAttribute(on, "WorkersReplaced"));
            WeftStats st = s.stats();
            assertEquals(2, st.workers());
            assertTrue(st.handoffs() + st.slotHits() + st.steals() > 0, st.toString());
        } finally {
            s.close();
        }
        assertFalse(server.isRegistered(on));
    }

    @Test
    void rareEventsAreRecordedByJfr() throws Exception {
        Path file = Files.createTempFile("weft", ".jfr");
        try (Recording rec = new Recording()) {
            for (String e : List.of("dev.weft.SpareWorkerAdded", "dev.weft.CarrierPinned", "dev.weft.StarvationPromotion")) {
                rec.enable(e);
            }
            rec.start();
            AtomicBoolean release = new AtomicBoolean();
            try (WeftScheduler s = WeftScheduler.builder().workers(1).maxSpares(1).name("jfr-test")
                    .pinnedThreshold(Duration.ofMillis(10)).starvationBound(Duration.ofMillis(10)).build()) {
                CountDownLatch spinning = new CountDownLatch(1);
                Thread spinner = s.ofVirtual(Priority.HIGH).start(() -> {
                    spinning.countDown();
                    while (!release.get()) {
                        Thread.onSpinWait();
                    }
                });
                spinning.await();
                List<Thread> lows = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    lows.add(s.ofVirtual(Priority.LOW).start(() -> release.set(true)));
                }
                spinner.join();
                for (Thread t : lows) {
                    t.join();
                }
            } finally {
                release.set(true);
            }
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals("jfr-test-watchdog")) {
                    Bounded.join(t, "the watchdog, which commits the events");   // it ends after its last tick
                }
            }
            rec.stop();
            rec.dump(file);
        }
        Set<String> names = RecordingFile.readAllEvents(file).stream()
                .map(RecordedEvent::getEventType).map(t -> t.getName()).collect(Collectors.toSet());
        Files.deleteIfExists(file);
        assertTrue(names.contains("dev.weft.CarrierPinned"), names.toString());
        assertTrue(names.contains("dev.weft.SpareWorkerAdded"), names.toString());
    }
}
