package dev.weft.scheduler;

/**
 * The management view of a {@link WeftScheduler}, registered as
 * {@code dev.weft:type=Scheduler,name=<scheduler name>} while the scheduler runs.
 * Every attribute is read from {@link WeftScheduler#stats()}.
 */
public interface WeftSchedulerMXBean {
    /** Core workers. */
    int getWorkers();
    /** Carrier threads alive. */
    int getCarriers();
    /** Workers parked waiting for work. */
    int getIdleWorkers();
    /** Spare workers running. */
    int getSpareWorkers();
    /** Carriers held by one fiber past the pinned threshold. */
    int getPinnedCarriers();
    /** Fibers started and not exited. */
    long getLiveFibers();
    /** Items queued at HIGH priority. */
    long getQueuedHigh();
    /** Items queued at NORMAL priority. */
    long getQueuedNormal();
    /** Items queued at LOW priority. */
    long getQueuedLow();
    /** Fiber slices run. */
    long getTasksRun();
    /** Direct hand-offs to idle workers. */
    long getHandoffs();
    /** Fibers run from a worker's slot. */
    long getSlotHits();
    /** Fibers stolen from another worker. */
    long getSteals();
    /** Starvation promotions. */
    long getStarvationPromotions();
    /** Spare workers started. */
    long getSparesAdded();
    /** Spare workers retired. */
    long getSparesRetired();
    /** Carrier threads replaced after dying. */
    long getWorkersReplaced();
}
