package io.pollster.jobs.runtime;

import java.time.Duration;

/** A job {@link JobsScheduler} runs again and again, {@link #interval()} after each run ends. */
public interface PeriodicJob {

    String name();

    boolean enabled();

    Duration interval();

    /** One round. Safe to run on several jobs instances at once. */
    void runOnce();
}
