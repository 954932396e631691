package dev.weft.scheduler;

/**
 * The platform thread that carries fibers for one {@link Worker}. A worker outlives its
 * threads: if a thread dies (an error escaped the scheduler itself), the scheduler
 * starts a new one for the same worker, which keeps its queues and its place in the
 * idle protocol. Submissions recognise "on a worker" by {@code currentCarrierThread()
 * instanceof WorkerThread}.
 */
final class WorkerThread extends Thread {
    final Worker worker;

    WorkerThread(Worker worker, String name) {
        super(null, null, name, 0, false);
        this.worker = worker;
        setDaemon(true);
    }

    @Override
    public void run() {
        Throwable death = null;
        try {
            worker.runLoop();
        } catch (Throwable t) {
            death = t;                         // logged and counted by the scheduler, which replaces us
        } finally {
            worker.scheduler.workerThreadEnded(worker, this, death);
        }
    }
}
