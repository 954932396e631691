/**
 * Weft's scheduler for JDK virtual threads: {@link dev.weft.scheduler.Weft} (drop-in
 * entry points), {@link dev.weft.scheduler.WeftScheduler} (a pool with priorities,
 * bound lanes and lifecycle) and {@link dev.weft.scheduler.Fiber} (a thread's control
 * block). See DESIGN at the repository root for the architecture.
 */
package dev.weft.scheduler;
