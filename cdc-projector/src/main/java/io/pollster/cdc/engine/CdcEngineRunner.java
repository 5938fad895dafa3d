package io.pollster.cdc.engine;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.pollster.cdc.CdcProperties;
import io.pollster.cdc.projection.ChangeProjector;
import io.pollster.cdc.projection.RowChange;
import io.pollster.core.lifecycle.LifecyclePhases;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the embedded Debezium engine for as long as the application runs: takes the slot's lock (or
 * stands by until the holder dies), runs the engine on its own thread, and when the engine stops on an
 * error (PostgreSQL gone, slot busy) starts it again with backoff. A batch is marked processed only
 * after {@link ChangeProjector} has put its effects in Redis; until then it is retried, never skipped.
 */
@Component
@ConditionalOnBooleanProperty(name = "pollster.cdc.enabled", matchIfMissing = true)
class CdcEngineRunner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CdcEngineRunner.class);
    private static final Duration LOCK_CHECK_INTERVAL = Duration.ofSeconds(1);

    /** Where the projector stands; the health indicator reports it. */
    enum State {
        STOPPED,
        STANDBY,
        STARTING,
        STREAMING,
        RETRYING
    }

    private final CdcProperties properties;
    private final DatabaseAddress database;
    private final ChangeProjector projector;

    private volatile boolean running;
    private volatile State state = State.STOPPED;
    private volatile Throwable lastError;
    private volatile DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private volatile boolean engineClosing;
    private ExecutorService supervisor;
    private ExecutorService engineThread;

    CdcEngineRunner(CdcProperties properties, DataSourceProperties dataSource, ChangeProjector projector) {
        this.properties = properties;
        this.database = new DatabaseAddress(
                dataSource.determineUrl(), dataSource.determineUsername(), dataSource.determinePassword());
        this.projector = projector;
    }

    State state() {
        return state;
    }

    Optional<Throwable> lastError() {
        return Optional.ofNullable(lastError);
    }

    DatabaseAddress database() {
        return database;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        supervisor = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "cdc-supervisor"));
        engineThread = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "cdc-engine"));
        supervisor.execute(this::supervise);
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        closeEngine();
        supervisor.shutdownNow();
        engineThread.shutdown();
        try {
            if (!supervisor.awaitTermination(30, TimeUnit.SECONDS)
                    || !engineThread.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("CDC engine did not stop within 30 s");
                engineThread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = State.STOPPED;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the vote ingester, before the stores (LifecyclePhases). */
    @Override
    public int getPhase() {
        return LifecyclePhases.CDC_PROJECTOR;
    }

    private void supervise() {
        Duration backoff = properties.retryInitialBackoff();
        while (running) {
            try {
                Optional<SlotLock> lock = SlotLock.tryAcquire(database, properties.slotName());
                if (lock.isEmpty()) {
                    if (state != State.STANDBY) {
                        log.info("Slot {} is held by another projector: standing by", properties.slotName());
                    }
                    state = State.STANDBY;
                    TimeUnit.MILLISECONDS.sleep(properties.standbyPollInterval().toMillis());
                    continue;
                }
                try (SlotLock held = lock.get()) {
                    log.info("Holding the lock of slot {}: starting the CDC engine", properties.slotName());
                    if (runEngine(held)) {
                        backoff = properties.retryInitialBackoff();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                lastError = e;
                log.warn("CDC engine could not run: {}", e.toString());
            }
            if (!running) {
                return;
            }
            state = State.RETRYING;
            try {
                TimeUnit.MILLISECONDS.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(properties.retryMaxBackoff()) > 0
                    ? properties.retryMaxBackoff()
                    : backoff.multipliedBy(2);
        }
    }

    /** Runs one engine until it stops or the lock is lost; true if it got as far as streaming. */
    private boolean runEngine(SlotLock lock) throws InterruptedException {
        state = State.STARTING;
        CompletableFuture<Void> done = new CompletableFuture<>();
        boolean[] streamed = {false};
        engineClosing = false;
        engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(DebeziumSettings.of(properties, database))
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        // with snapshot.mode=no_data the slot exists once the task has started: every
                        // commit from here on reaches the projector
                        streamed[0] = true;
                        lastError = null;
                        state = State.STREAMING;
                        log.info("CDC engine streaming from slot {}", properties.slotName());
                    }
                })
                .using((success, message, error) -> {
                    if (error != null) {
                        lastError = error;
                    }
                    if (running) {
                        log.warn("CDC engine stopped: {}", message, error);
                    }
                    done.complete(null);
                })
                .notifying(this::handleBatch)
                .build();
        engineThread.execute(engine);
        try {
            while (!done.isDone() && running) {
                try {
                    done.get(LOCK_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillRunning) {
                    if (!lock.isHeld()) {
                        log.warn("Lost the lock of slot {} (PostgreSQL connection gone)", properties.slotName());
                        break;
                    }
                } catch (ExecutionException impossible) {
                    break;
                }
            }
        } finally {
            closeEngine();
        }
        return streamed[0];
    }

    private void handleBatch(
            List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<RowChange> changes = records.stream()
                .map(record -> DebeziumRows.rowChange(record.record()))
                .flatMap(Optional::stream)
                .toList();
        Duration backoff = properties.retryInitialBackoff();
        while (true) {
            try {
                if (!changes.isEmpty()) {
                    projector.apply(changes);
                }
                break;
            } catch (RuntimeException e) {
                if (!running || engineClosing) {
                    // not marked processed: the next reader of the slot gets this batch again
                    throw new InterruptedException("CDC engine closing with a batch not applied");
                }
                state = State.RETRYING;
                lastError = e;
                log.warn("Could not apply {} changes, retrying in {}: {}", changes.size(), backoff, e.toString());
                TimeUnit.MILLISECONDS.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2).compareTo(properties.retryMaxBackoff()) > 0
                        ? properties.retryMaxBackoff()
                        : backoff.multipliedBy(2);
            }
        }
        if (state == State.RETRYING) {
            lastError = null;
            state = State.STREAMING;
        }
        for (RecordChangeEvent<SourceRecord> record : records) {
            committer.markProcessed(record);
        }
        committer.markBatchFinished();
    }

    private void closeEngine() {
        engineClosing = true;
        DebeziumEngine<RecordChangeEvent<SourceRecord>> current = engine;
        engine = null;
        if (current != null) {
            try {
                current.close();
            } catch (IOException | RuntimeException e) {
                log.warn("Closing the CDC engine failed: {}", e.toString());
            }
        }
    }
}
