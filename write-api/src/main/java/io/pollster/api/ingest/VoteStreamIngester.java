package io.pollster.api.ingest;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.lettuce.core.api.sync.RedisStreamCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pollster.api.vote.VotesProperties;
import io.pollster.core.events.VoteEvent;
import io.pollster.core.redis.LettuceConnections;
import io.pollster.core.redis.LuaScripts;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.core.vote.VoteStreamEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Moves accepted votes from {@code poll:votes:stream-{N}} into PostgreSQL exactly once. Every instance
 * runs one worker per shard, all in the consumer group {@value #GROUP}: a worker reads a batch
 * (XREADGROUP), writes it in one transaction ({@link VoteBatchWriter}), and only then acknowledges
 * the entries (XACK) and trims the acknowledged history off the stream ({@code trim_acknowledged.lua}),
 * so a crash at any point leaves them pending and a replay is harmless. Entries left pending by a dead consumer are reclaimed (XAUTOCLAIM) after
 * {@code claim-idle-timeout}; an entry that keeps failing goes to the dead-letter stream after
 * {@code max-tries} deliveries.
 */
@Component
class VoteStreamIngester implements SmartLifecycle {

    static final String GROUP = "vote-ingesters";
    private static final Logger log = LoggerFactory.getLogger(VoteStreamIngester.class);
    private static final long DEAD_LETTER_MAX_LENGTH = 100_000;
    private static final Duration GAUGE_PERIOD = Duration.ofSeconds(1);
    /** How long a stopping worker gets, beyond one read, to write the batch it holds. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private static final String TRIM_ACKNOWLEDGED =
            LuaScripts.source(VoteStreamIngester.class, "trim_acknowledged.lua");
    private static final String TRIM_ACKNOWLEDGED_SHA = LuaScripts.sha1(TRIM_ACKNOWLEDGED);

    private final LettuceConnectionFactory redis;
    private final VoteBatchWriter writer;
    private final VotesProperties properties;
    private final Shards shards;
    private final MeterRegistry meters;
    private final Counter ingested;
    private final Counter rejected;
    private final Counter deadLettered;
    private final DistributionSummary batchSize;
    private final Timer batchLatency;
    private final List<AtomicLong> pendingByShard = new ArrayList<>();
    private final List<AtomicLong> lengthByShard = new ArrayList<>();

    private final Object lifecycle = new Object();
    private List<ShardWorker> workers = List.of();
    private volatile BatchObserver observer = BatchObserver.NONE;

    VoteStreamIngester(
            RedisConnectionFactory redis,
            VoteBatchWriter writer,
            VotesProperties properties,
            Shards shards,
            MeterRegistry meters) {
        this.redis = (LettuceConnectionFactory) redis;
        this.writer = writer;
        this.properties = properties;
        this.shards = shards;
        this.meters = meters;
        this.ingested = Counter.builder("pollster.votes.ingested")
                .description("Responses inserted into PostgreSQL")
                .register(meters);
        this.rejected = Counter.builder("pollster.votes.ingest.rejected")
                .description("Answers refused by PostgreSQL's UNIQUE (question, user) constraint")
                .register(meters);
        this.deadLettered = Counter.builder("pollster.votes.dead.lettered")
                .description("Stream entries given up on and moved to the dead-letter stream")
                .register(meters);
        this.batchSize = DistributionSummary.builder("pollster.votes.ingest.batch.size")
                .description("Entries per ingested batch")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
        this.batchLatency = Timer.builder("pollster.votes.ingest.batch.latency")
                .description("Time to write one batch to PostgreSQL and acknowledge it")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
        for (int shard = 0; shard < shards.count(); shard++) {
            AtomicLong pending = new AtomicLong();
            AtomicLong length = new AtomicLong();
            pendingByShard.add(pending);
            lengthByShard.add(length);
            Gauge.builder("pollster.votes.ingest.pending", pending, AtomicLong::get)
                    .description("Entries delivered to a consumer and not yet acknowledged")
                    .tag("shard", Integer.toString(shard))
                    .register(meters);
            Gauge.builder("pollster.votes.stream.length", length, AtomicLong::get)
                    .description("Entries in the vote stream (acknowledged history is trimmed after each batch)")
                    .tag("shard", Integer.toString(shard))
                    .register(meters);
        }
    }

    @Override
    public void start() {
        synchronized (lifecycle) {
            if (!properties.ingesterEnabled() || !workers.isEmpty()) {
                return;
            }
            List<ShardWorker> started = new ArrayList<>();
            for (int shard = 0; shard < shards.count(); shard++) {
                for (int w = 0; w < properties.workersPerShard(); w++) {
                    ShardWorker worker = new ShardWorker(shard, w);
                    worker.thread.start();
                    started.add(worker);
                }
            }
            workers = started;
            log.info(
                    "Vote ingester {} consuming {} shard streams with {} workers each",
                    properties.consumerName(),
                    shards.count(),
                    properties.workersPerShard());
        }
    }

    @Override
    public void stop() {
        synchronized (lifecycle) {
            // No interrupt: a worker blocked in XREADGROUP would leave the read running in Redis, which
            // could still hand the next entries to a consumer nobody drives. Each worker finishes its
            // read (at most block-time) and the batch it got, then closes its connection.
            for (ShardWorker worker : workers) {
                worker.running = false;
                LockSupport.unpark(worker.thread);
            }
            long deadline =
                    System.nanoTime() + properties.blockTime().plus(STOP_GRACE).toNanos();
            try {
                for (ShardWorker worker : workers) {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        TimeUnit.NANOSECONDS.timedJoin(worker.thread, left);
                    }
                    if (worker.thread.isAlive()) {
                        log.warn("Vote ingester worker {} did not stop in time; interrupting it", worker.thread);
                        worker.thread.interrupt();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            workers = List.of();
        }
    }

    @Override
    public boolean isRunning() {
        synchronized (lifecycle) {
            return !workers.isEmpty();
        }
    }

    /** Lets a test stop a worker abruptly at a point of the batch, as a SIGKILL would. */
    void observe(BatchObserver observer) {
        this.observer = observer == null ? BatchObserver.NONE : observer;
    }

    /** Whether the worker of a shard is alive (a test's abrupt stop ends it). */
    boolean workerAlive(int shard) {
        synchronized (lifecycle) {
            return workers.stream().filter(w -> w.shard == shard).allMatch(w -> w.thread.isAlive());
        }
    }

    /** Hook between the commit of a batch and its acknowledgement. */
    interface BatchObserver {
        BatchObserver NONE = (shard, entries) -> {};

        void committed(int shard, List<VoteEvent> entries);
    }

    private final class ShardWorker implements Runnable {

        private final int shard;
        private final String stream;
        private final Thread thread;
        private volatile boolean running = true;
        private RedisStreamCommands<String, String> commands;
        private RedisScriptingCommands<String, String> scripting;
        private final Consumer<String> consumer;
        private final boolean reportsGauges;
        private long nextClaimNanos;
        private long nextGaugeNanos;

        ShardWorker(int shard, int index) {
            this.shard = shard;
            this.stream = RedisKeys.voteStream(shard);
            // a stable name per (instance, index): a restart with a configured name finds its backlog
            this.consumer = Consumer.from(GROUP, properties.consumerName() + "-" + index);
            this.reportsGauges = index == 0;
            this.thread = new Thread(this, "vote-ingester-" + shard + "-" + index);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            StatefulConnection<String, String> connection = null;
            // "0": first the entries this consumer name left pending before a restart, then new ones
            String cursor = "0";
            try {
                while (running) {
                    try {
                        if (connection == null) {
                            connection = connect();
                            ensureGroup();
                        }
                        long now = System.nanoTime();
                        if (now - nextClaimNanos >= 0) {
                            reclaimAbandoned();
                            nextClaimNanos =
                                    now + Math.max(properties.claimIdleTimeout().toNanos() / 2, 50_000_000L);
                        }
                        if (reportsGauges && now - nextGaugeNanos >= 0) {
                            updateGauges();
                            nextGaugeNanos = now + GAUGE_PERIOD.toNanos();
                        }
                        if (cursor != null) {
                            List<StreamMessage<String, String>> own =
                                    read(XReadArgs.StreamOffset.from(stream, cursor), false);
                            if (own.isEmpty()) {
                                cursor = null;
                            } else {
                                cursor = own.get(own.size() - 1).getId();
                                ingest(own, false);
                            }
                        } else {
                            List<StreamMessage<String, String>> fresh =
                                    read(XReadArgs.StreamOffset.lastConsumed(stream), true);
                            if (!fresh.isEmpty()) {
                                ingest(fresh, true);
                            }
                        }
                    } catch (RuntimeException e) {
                        if (!running) {
                            break;
                        }
                        // PostgreSQL or Redis unavailable: the batch stays pending; read it again from our
                        // own backlog once the stores answer
                        log.warn("Vote ingester shard {}: {}; retrying", shard, e.toString());
                        cursor = "0";
                        if (connection != null && String.valueOf(e.getMessage()).contains("NOGROUP")) {
                            // Redis lost the stream and its group (restarted without its AOF)
                            recreateGroupQuietly();
                        }
                        pause(properties.blockTime());
                    }
                }
            } finally {
                if (connection != null) {
                    // closed before stop() returns: no read of this consumer outlives the worker
                    connection.close();
                }
            }
        }

        private StatefulConnection<String, String> connect() {
            LettuceConnections.Strings c = LettuceConnections.connect(redis);
            commands = c.sync();
            scripting = c.sync();
            return c.connection();
        }

        private void ensureGroup() {
            try {
                commands.xgroupCreate(
                        XReadArgs.StreamOffset.from(stream, "0"), GROUP, XGroupCreateArgs.Builder.mkstream());
            } catch (RedisBusyException alreadyThere) {
                // another instance, or an earlier run, created it
            }
        }

        private void recreateGroupQuietly() {
            try {
                ensureGroup();
            } catch (RuntimeException e) {
                log.warn("Vote ingester shard {}: cannot create the consumer group yet: {}", shard, e.toString());
            }
        }

        private List<StreamMessage<String, String>> read(XReadArgs.StreamOffset<String> offset, boolean block) {
            XReadArgs args = XReadArgs.Builder.count(properties.batchSize());
            if (block) {
                args.block(properties.blockTime());
            }
            List<StreamMessage<String, String>> messages = commands.xreadgroup(consumer, args, offset);
            return messages == null ? List.of() : messages;
        }

        /** Takes over entries another consumer (likely dead) has held longer than the idle timeout. */
        private void reclaimAbandoned() {
            String start = "0-0";
            do {
                ClaimedMessages<String, String> claimed = commands.xautoclaim(
                        stream,
                        XAutoClaimArgs.Builder.xautoclaim(consumer, properties.claimIdleTimeout(), start)
                                .count(properties.batchSize()));
                List<StreamMessage<String, String>> messages = claimed.getMessages();
                if (!messages.isEmpty()) {
                    log.info("Vote ingester shard {}: reclaimed {} abandoned entries", shard, messages.size());
                    ingest(messages, false);
                }
                start = claimed.getId();
            } while (running && !"0-0".equals(start));
        }

        /**
         * Writes a batch and acknowledges it. A batch PostgreSQL refuses as a whole is retried entry by
         * entry, so one bad entry cannot hold up the others.
         */
        private void ingest(List<StreamMessage<String, String>> messages, boolean firstDelivery) {
            Timer.Sample sample = Timer.start(meters);
            Map<String, VoteEvent> events = new LinkedHashMap<>();
            for (StreamMessage<String, String> message : messages) {
                if (message.getBody() == null || message.getBody().isEmpty()) {
                    // deleted while pending (already acknowledged and trimmed elsewhere): just drop it
                    acknowledge(List.of(message.getId()));
                    continue;
                }
                try {
                    events.put(message.getId(), VoteStreamEntry.event(message.getBody()));
                } catch (IllegalArgumentException unreadable) {
                    deadLetter(message.getId(), message.getBody(), null, unreadable.getMessage(), 1);
                }
            }
            if (!firstDelivery) {
                giveUpOnExhausted(messages, events);
            }
            if (events.isEmpty()) {
                trimAcknowledged();
                return;
            }
            try {
                write(events);
            } catch (RuntimeException e) {
                if (isTransient(e)) {
                    throw e;
                }
                log.warn(
                        "Vote ingester shard {}: batch of {} refused ({}); writing entry by entry",
                        shard,
                        events.size(),
                        e.toString());
                for (Map.Entry<String, VoteEvent> entry : events.entrySet()) {
                    try {
                        write(Map.of(entry.getKey(), entry.getValue()));
                    } catch (RuntimeException single) {
                        if (isTransient(single)) {
                            throw single;
                        }
                        failed(entry.getKey(), entry.getValue(), single);
                    }
                }
            }
            batchSize.record(events.size());
            sample.stop(batchLatency);
            trimAcknowledged();
        }

        private void write(Map<String, VoteEvent> events) {
            List<VoteEvent> batch = List.copyOf(events.values());
            VoteBatchWriter.Outcome outcome = writer.write(batch);
            observer.committed(shard, batch);
            acknowledge(List.copyOf(events.keySet()));
            ingested.increment(outcome.inserted());
            rejected.increment(outcome.rejected());
        }

        private void acknowledge(List<String> ids) {
            commands.xack(stream, GROUP, ids.toArray(String[]::new));
        }

        /**
         * Trims everything the group no longer needs, once per batch read (written, dead-lettered or
         * dropped): one script call instead of an XDEL of every entry, which was about a tenth of
         * Redis's CPU per vote.
         */
        private void trimAcknowledged() {
            String[] keys = {stream};
            try {
                scripting.evalsha(TRIM_ACKNOWLEDGED_SHA, ScriptOutputType.INTEGER, keys, GROUP);
            } catch (RedisNoScriptException notLoaded) {
                scripting.eval(TRIM_ACKNOWLEDGED, ScriptOutputType.INTEGER, keys, GROUP);
            }
        }

        /** Entries delivered more than max-tries times go to the dead-letter stream before another try. */
        private void giveUpOnExhausted(List<StreamMessage<String, String>> messages, Map<String, VoteEvent> events) {
            if (events.isEmpty()) {
                return;
            }
            for (PendingMessage pending : pendingOf(messages)) {
                if (pending.getRedeliveryCount() > properties.maxTries() && events.containsKey(pending.getId())) {
                    VoteEvent event = events.remove(pending.getId());
                    deadLetter(
                            pending.getId(),
                            VoteStreamEntry.fields(event),
                            event,
                            "gave up after " + (pending.getRedeliveryCount() - 1) + " deliveries",
                            pending.getRedeliveryCount());
                }
            }
        }

        private List<PendingMessage> pendingOf(List<StreamMessage<String, String>> messages) {
            String first = messages.get(0).getId();
            String last = messages.get(messages.size() - 1).getId();
            return commands.xpending(
                    stream, consumer, Range.create(first, last), Limit.from(Math.max(messages.size(), 1) * 2L));
        }

        /** One entry PostgreSQL refused: left pending for another try, or dead-lettered once out of tries. */
        private void failed(String id, VoteEvent event, RuntimeException error) {
            long deliveries = commands.xpending(stream, consumer, Range.create(id, id), Limit.from(1)).stream()
                    .mapToLong(PendingMessage::getRedeliveryCount)
                    .findFirst()
                    .orElse(1);
            if (deliveries >= properties.maxTries()) {
                deadLetter(id, VoteStreamEntry.fields(event), event, rootMessage(error), deliveries);
            } else {
                log.warn(
                        "Vote ingester shard {}: entry {} failed (try {} of {}): {}",
                        shard,
                        id,
                        deliveries,
                        properties.maxTries(),
                        rootMessage(error));
            }
        }

        private void deadLetter(String id, Map<String, String> fields, VoteEvent event, String reason, long tries) {
            Map<String, String> body = new LinkedHashMap<>(fields);
            body.put("source_id", id);
            body.put("reason", reason == null ? "unknown" : reason);
            body.put("deliveries", Long.toString(tries));
            commands.xadd(
                    RedisKeys.voteDeadLetterStream(shard),
                    XAddArgs.Builder.maxlen(DEAD_LETTER_MAX_LENGTH).approximateTrimming(),
                    body);
            if (event != null) {
                writer.recordDeadLetters(List.of(event), reason);
            }
            acknowledge(List.of(id));
            deadLettered.increment();
            log.error("Vote ingester shard {}: entry {} dead-lettered: {}", shard, id, reason);
        }

        private void updateGauges() {
            pendingByShard.get(shard).set(commands.xpending(stream, GROUP).getCount());
            lengthByShard.get(shard).set(commands.xlen(stream));
        }

        /** Waits out a failure; {@link #stop()} cuts the wait short. */
        private void pause(Duration duration) {
            long until = System.nanoTime() + duration.toNanos();
            long left;
            while (running && (left = until - System.nanoTime()) > 0) {
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    running = false;
                }
            }
        }
    }

    private static boolean isTransient(Throwable e) {
        return e instanceof TransientDataAccessException
                || e instanceof RecoverableDataAccessException
                || e instanceof DataAccessResourceFailureException
                || e instanceof CannotCreateTransactionException
                || e instanceof io.lettuce.core.RedisException;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
