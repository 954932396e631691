package dev.weft.scheduler;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** Registers a scheduler's {@link WeftSchedulerMXBean} with the platform MBean server. */
final class SchedulerMXBeanImpl implements WeftSchedulerMXBean {
    private static final System.Logger LOG = System.getLogger(SchedulerMXBeanImpl.class.getName());

    private final WeftScheduler scheduler;
    private final ObjectName objectName;

    private SchedulerMXBeanImpl(WeftScheduler scheduler, ObjectName objectName) {
        this.scheduler = scheduler;
        this.objectName = objectName;
    }

    static SchedulerMXBeanImpl register(WeftScheduler scheduler) {
        ObjectName on;
        try {
            on = ObjectName.getInstance("dev.weft:type=Scheduler,name=" + ObjectName.quote(scheduler.name()));
        } catch (JMException e) {
            throw new IllegalArgumentException("scheduler name " + scheduler.name() + " is not usable in an ObjectName", e);
        }
        SchedulerMXBeanImpl bean = new SchedulerMXBeanImpl(scheduler, on);
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(bean, on);
        } catch (JMException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot register MXBean " + on + ": " + e);
        }
        return bean;
    }

    void unregister() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (server.isRegistered(objectName)) {
                server.unregisterMBean(objectName);
            }
        } catch (JMException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot unregister MXBean " + objectName + ": " + e);
        }
    }

    ObjectName objectName() {
        return objectName;
    }

    private WeftStats s() {
        return scheduler.stats();
    }

    @Override public int getWorkers() { return scheduler.workers(); }
    @Override public int getCarriers() { return s().carriers(); }
    @Override public int getIdleWorkers() { return s().idle(); }
    @Override public int getSpareWorkers() { return s().spares(); }
    @Override public int getPinnedCarriers() { return s().pinned(); }
    @Override public long getLiveFibers() { return s().liveFibers(); }
    @Override public long getQueuedHigh() { return s().queued(Priority.HIGH); }
    @Override public long getQueuedNormal() { return s().queued(Priority.NORMAL); }
    @Override public long getQueuedLow() { return s().queued(Priority.LOW); }
    @Override public long getTasksRun() { return s().tasksRun(); }
    @Override public long getHandoffs() { return s().handoffs(); }
    @Override public long getSlotHits() { return s().slotHits(); }
    @Override public long getSteals() { return s().steals(); }
    @Override public long getStarvationPromotions() { return s().starvationPromotions(); }
    @Override public long getSparesAdded() { return s().sparesAdded(); }
    @Override public long getSparesRetired() { return s().sparesRetired(); }
    @Override public long getWorkersReplaced() { return s().workersReplaced(); }
}
