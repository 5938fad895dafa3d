package io.pollster.jobs.runtime;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs every enabled {@link PeriodicJob} on a thread of its own, so a long archival never delays
 * closing. Not Spring's {@code @Scheduled}: its one shared scheduler thread belongs to the whole
 * standalone application.
 */
@Component
class JobsScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobsScheduler.class);

    private final List<PeriodicJob> jobs;
    private volatile ScheduledExecutorService executor;

    JobsScheduler(List<PeriodicJob> jobs) {
        this.jobs = List.copyOf(jobs);
    }

    @Override
    public void start() {
        List<PeriodicJob> enabled = jobs.stream().filter(PeriodicJob::enabled).toList();
        ScheduledExecutorService started = Executors.newScheduledThreadPool(Math.max(1, enabled.size()), runnable -> {
            Thread thread = new Thread(runnable, "pollster-jobs-periodic");
            thread.setDaemon(true);
            return thread;
        });
        for (PeriodicJob job : enabled) {
            long millis = job.interval().toMillis();
            started.scheduleWithFixedDelay(() -> runGuarded(job), millis, millis, TimeUnit.MILLISECONDS);
            log.info("Periodic job {} runs every {}", job.name(), job.interval());
        }
        executor = started;
    }

    // an exception escaping a scheduled task would cancel every later run of it
    private static void runGuarded(PeriodicJob job) {
        try {
            job.runOnce();
        } catch (RuntimeException e) {
            log.warn("Periodic job {} failed, next round retries", job.name(), e);
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService running = executor;
        executor = null;
        if (running == null) {
            return;
        }
        running.shutdown();
        try {
            if (!running.awaitTermination(5, TimeUnit.SECONDS)) {
                running.shutdownNow();
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
