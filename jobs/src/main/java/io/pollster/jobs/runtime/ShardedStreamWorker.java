package io.pollster.jobs.runtime;

import io.pollster.core.redis.LettuceConnections;
import io.pollster.core.redis.Shards;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.PendingMessage;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * One consumer of a consumer group over every shard of a sharded stream. An entry is acknowledged only
 * after {@link #handle} returned, that is after its durable effect; an entry whose consumer died or
 * failed stays pending and is claimed by some consumer of the group once idle for {@code claimIdle}.
 * Delivery is therefore at least once, and every {@link #handle} must be idempotent.
 */
public abstract class ShardedStreamWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ShardedStreamWorker.class);
    private static final Duration PAUSE_AFTER_ERROR = Duration.ofSeconds(1);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final StringRedisTemplate redis;
    private final List<String> streams;
    private final String group;
    private final StreamProperties settings;
    private final boolean enabled;
    // a fresh name per start: what a dead consumer left pending is reclaimed by idle time, not by name
    private volatile String consumerName;
    private volatile boolean running;
    private volatile Thread thread;
    private boolean groupsReady;
    private long nextReclaimNanos;
    private List<List<String>> readGroups;

    protected ShardedStreamWorker(
            StringRedisTemplate redis,
            Shards shards,
            IntFunction<String> streamOfShard,
            String group,
            StreamProperties settings,
            boolean enabled) {
        this.redis = redis;
        this.streams =
                IntStream.range(0, shards.count()).mapToObj(streamOfShard).toList();
        this.group = group;
        this.settings = settings;
        this.enabled = enabled;
    }

    /** Applies one entry's effect durably. Throwing leaves the entry pending, to be retried. */
    protected abstract void handle(Map<String, String> fields);

    /** The consumer group this worker belongs to. */
    public String group() {
        return group;
    }

    @Override
    public synchronized void start() {
        if (!enabled || running) {
            return;
        }
        consumerName = "jobs-" + UUID.randomUUID();
        running = true;
        Thread started = new Thread(this::run, group + "-worker");
        started.setDaemon(true);
        thread = started;
        started.start();
    }

    @Override
    public void stop() {
        awaitStopped(signalStop());
    }

    /** Stops without holding up the other beans' shutdown: the workers of one context stop together. */
    @Override
    public void stop(Runnable callback) {
        Thread stopping = signalStop();
        Thread waiter = new Thread(
                () -> {
                    awaitStopped(stopping);
                    callback.run();
                },
                group + "-stop");
        waiter.setDaemon(true);
        waiter.start();
    }

    private synchronized Thread signalStop() {
        running = false;
        Thread stopping = thread;
        thread = null;
        return stopping;
    }

    // no interrupt: it could cut a Redis command, or a transaction, half way. The wait is bounded: a
    // handler stuck on a vanished server is abandoned, and its unacknowledged entry replayed later
    private static void awaitStopped(Thread stopping) {
        if (stopping == null) {
            return;
        }
        try {
            stopping.join(STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        log.info("Consumer {} of group {} reads {}", consumerName, group, streams);
        while (running) {
            try {
                if (!groupsReady) {
                    ensureGroups();
                }
                if (System.nanoTime() - nextReclaimNanos >= 0) {
                    reclaimStale();
                    nextReclaimNanos = System.nanoTime() + settings.claimIdle().toNanos() / 2;
                }
                List<MapRecord<String, Object, Object>> records = readNew();
                if (records == null || records.isEmpty()) {
                    pause(settings.pollInterval());
                } else {
                    records.forEach(this::process);
                }
            } catch (RuntimeException e) {
                if (mostSpecificMessage(e).contains("NOGROUP")) {
                    groupsReady = false; // Redis lost the stream (restarted without AOF): create it again
                }
                log.warn("Consumer group {} cannot read its streams, retrying", group, e);
                pause(PAUSE_AFTER_ERROR);
            }
        }
    }

    /**
     * One XREADGROUP over every stream on a single Redis; on a cluster one per slot, since the shards'
     * streams live in different slots (and mostly on different nodes).
     */
    @SuppressWarnings("unchecked")
    private List<MapRecord<String, Object, Object>> readNew() {
        if (readGroups == null) {
            readGroups = LettuceConnections.bySlot(redis.getRequiredConnectionFactory(), streams);
        }
        List<MapRecord<String, Object, Object>> records = new ArrayList<>();
        for (List<String> sameSlot : readGroups) {
            StreamOffset<String>[] offsets = sameSlot.stream()
                    .map(stream -> StreamOffset.create(stream, ReadOffset.lastConsumed()))
                    .toArray(StreamOffset[]::new);
            List<MapRecord<String, Object, Object>> read = redis.opsForStream()
                    .read(
                            Consumer.from(group, consumerName),
                            StreamReadOptions.empty().count(settings.batchSize()),
                            offsets);
            if (read != null) {
                records.addAll(read);
            }
        }
        return records;
    }

    private void ensureGroups() {
        for (String stream : streams) {
            try {
                // from the start of the stream: entries written before any jobs instance ran count too
                redis.execute((RedisCallback<String>) connection -> connection
                        .streamCommands()
                        .xGroupCreate(stream.getBytes(StandardCharsets.UTF_8), group, ReadOffset.from("0"), true));
            } catch (RuntimeException e) {
                if (!mostSpecificMessage(e).contains("BUSYGROUP")) {
                    throw e;
                }
            }
        }
        groupsReady = true;
    }

    /** Takes over entries left pending longer than {@code claimIdle}, by dead consumers or failures. */
    private void reclaimStale() {
        for (String stream : streams) {
            List<String> claimable = new ArrayList<>();
            for (PendingMessage pending : redis.opsForStream()
                    .pending(stream, group, Range.unbounded(), settings.batchSize(), settings.claimIdle())) {
                if (pending.getTotalDeliveryCount() >= settings.maxDeliveries()) {
                    // poison: retrying it forever would only fill the log; its fields are in the stream
                    log.error(
                            "Dropping entry {} of {} after {} deliveries to group {}",
                            pending.getIdAsString(),
                            stream,
                            pending.getTotalDeliveryCount(),
                            group);
                    redis.opsForStream().acknowledge(stream, group, pending.getIdAsString());
                } else {
                    claimable.add(pending.getIdAsString());
                }
            }
            if (!claimable.isEmpty()) {
                // XCLAIM with the idle bound again: when two consumers race, only the first gets an entry
                List<MapRecord<String, Object, Object>> claimed = redis.opsForStream()
                        .claim(
                                stream,
                                group,
                                consumerName,
                                settings.claimIdle(),
                                claimable.stream().map(RecordId::of).toArray(RecordId[]::new));
                if (!claimed.isEmpty()) {
                    log.info("Consumer group {} reclaimed {} stale entries of {}", group, claimed.size(), stream);
                }
                claimed.forEach(this::process);
            }
        }
    }

    private void process(MapRecord<String, Object, Object> record) {
        Map<String, String> fields = new LinkedHashMap<>();
        record.getValue().forEach((name, value) -> fields.put(String.valueOf(name), String.valueOf(value)));
        try {
            handle(fields);
        } catch (RuntimeException e) {
            log.warn(
                    "Entry {} of {} failed in group {}, left pending for a retry",
                    record.getId(),
                    record.getStream(),
                    group,
                    e);
            return;
        }
        redis.opsForStream().acknowledge(group, record);
    }

    private static String mostSpecificMessage(Throwable e) {
        Throwable cause = e;
        StringBuilder messages = new StringBuilder();
        while (cause != null) {
            messages.append(cause.getMessage()).append(' ');
            cause = cause.getCause();
        }
        return messages.toString();
    }

    private static void pause(Duration duration) {
        LockSupport.parkNanos(TimeUnit.NANOSECONDS.convert(duration));
    }
}
