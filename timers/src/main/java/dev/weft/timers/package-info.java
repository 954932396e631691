/**
 * Weft's timers: a timer fiber per scheduler serving a 4-ary heap, woken through a
 * timerfd on Weft's poller. With this module on the class path, every Weft wait can take
 * a deadline ({@code Fiber.prepareSleep(reasons, deadline)}, {@code Weft.sleep}, socket
 * and lock timeouts); {@link dev.weft.timers.WeftTimers} adds a ScheduledExecutorService
 * whose tasks run on fibers. See DESIGN, section 13.
 */
package dev.weft.timers;
