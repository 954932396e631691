/**
 * Fiber synchronisation: {@link dev.weft.ifc.FiberMutex} and
 * {@link dev.weft.ifc.FiberSemaphore} over a FIFO wait queue with direct hand-off, waking
 * fibers through their wakeup word ({@link dev.weft.scheduler.Wake#GRANT}). Inter-fiber
 * calls come next (see DESIGN).
 */
package dev.weft.ifc;
