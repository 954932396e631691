package dev.weft.scheduler;

import java.util.Arrays;

/**
 * A snapshot of one scheduler's counters. Each value is read without stopping the
 * scheduler, so under load the fields are not mutually consistent; counters only grow.
 *
 * @param workers core workers
 * @param carriers carrier threads alive now (core and spare)
 * @param idle workers parked waiting for work
 * @param spares spare workers running now
 * @param pinned carriers the watchdog sees held by one fiber past the threshold
 * @param liveFibers fibers started and not yet exited
 * @param queued items queued per priority (shared lane, local queues and slots), index = {@link Priority#ordinal()}
 * @param tasksRun fiber slices run
 * @param handoffs fibers handed directly to an idle worker
 * @param slotHits fibers taken from a worker's slot
 * @param steals fibers taken from another worker's local queue
 * @param starvationPromotions items served ahead of higher priorities by the starvation rule
 * @param sparesAdded spare workers started
 * @param sparesRetired spare workers retired after idling
 * @param workersReplaced carrier threads that died and were replaced
 * @param taskFailures continuations that threw into the scheduler
 */
public record WeftStats(int workers, int carriers, int idle, int spares, int pinned, long liveFibers,
                        long[] queued, long tasksRun, long handoffs, long slotHits, long steals,
                        long starvationPromotions, long sparesAdded, long sparesRetired,
                        long workersReplaced, long taskFailures) {

    /** Items queued at {@code priority}. */
    public long queued(Priority priority) {
        return queued[priority.ordinal()];
    }

    static WeftStats of(WeftScheduler s) {
        int idle = 0, spares = 0, pinned = 0;
        long tasks = 0, handoffs = 0, slotHits = 0, steals = 0, promotions = 0;
        for (Worker w : s.workers) {
            if (w.state == Worker.IDLE) {
                idle++;
            }
            if (w.spare && w.thread != null) {
                spares++;
            }
            if (w.pinned) {
                pinned++;
            }
            tasks += w.tasksRun();
            handoffs += w.handoffs();
            slotHits += w.slotHits();
            steals += w.steals();
            promotions += w.promotions();
        }
        long[] queued = new long[Priority.COUNT];
        for (int p = 0; p < Priority.COUNT; p++) {
            queued[p] = s.watchdog().queued(p);
        }
        return new WeftStats(s.workers(), s.carriersAlive(), idle, spares, pinned, s.liveFibers(), queued,
                tasks, handoffs, slotHits, steals, promotions, s.sparesAdded(), s.sparesRetired(),
                s.workersReplaced(), s.taskFailures());
    }

    @Override
    public String toString() {
        return "WeftStats[workers=" + workers + ", carriers=" + carriers + ", idle=" + idle + ", spares=" + spares
                + ", pinned=" + pinned + ", live=" + liveFibers + ", queued=" + Arrays.toString(queued)
                + ", tasksRun=" + tasksRun + ", handoffs=" + handoffs + ", slotHits=" + slotHits
                + ", steals=" + steals + ", starvationPromotions=" + starvationPromotions
                + ", sparesAdded=" + sparesAdded + ", sparesRetired=" + sparesRetired
                + ", workersReplaced=" + workersReplaced + ", taskFailures=" + taskFailures + "]";
    }
}
