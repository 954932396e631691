/**
 * Fiber synchronisation: {@link dev.weft.ifc.FiberMutex}, {@link dev.weft.ifc.FiberSemaphore}
 * and {@link dev.weft.ifc.FiberCondition} over a FIFO wait queue, waking fibers through
 * their wakeup word ({@link dev.weft.scheduler.Wake#GRANT}). Inter-fiber calls themselves
 * ({@link dev.weft.scheduler.FiberCall}) live in the scheduler module, since a fiber's
 * sleep runs them (see DESIGN).
 */
package dev.weft.ifc;
