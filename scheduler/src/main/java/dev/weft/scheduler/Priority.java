package dev.weft.scheduler;

/**
 * The scheduling priority of a fiber. Each priority has its own FIFO lanes; a worker
 * serves the highest non-empty priority first, except that a priority whose queued
 * work has made no progress for the scheduler's starvation bound is served next
 * (see {@link WeftScheduler.Builder#starvationBound}).
 */
public enum Priority {
    /** Latency-sensitive work: served before NORMAL and LOW. */
    HIGH,
    /** The default priority. */
    NORMAL,
    /** Background work: served when nothing else waits, or when starving. */
    LOW;

    /** All priorities, highest first; index = {@link #ordinal()}. */
    static final Priority[] ALL = values();
    /** Number of priorities (and of lanes per worker). */
    static final int COUNT = ALL.length;
}
