package io.pollster.api.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pollster.api.vote.VotesProperties;
import io.pollster.core.events.VoteEvent;
import io.pollster.core.lifecycle.LifecyclePhases;
import io.pollster.core.redis.LuaScripts;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.core.stream.StreamConsumer;
import io.pollster.core.stream.StreamConsumerSettings;
import io.pollster.core.stream.StreamConsumers;
import io.pollster.core.stream.StreamEntry;
import io.pollster.core.stream.StreamHandler;
import io.pollster.core.stream.UnreadableEntryException;
import io.pollster.core.vote.VoteStreamEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.stream.PendingMessagesSummary;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Moves accepted votes from {@code poll:votes:stream-{N}} into PostgreSQL exactly once. Every instance
 * runs {@code workers-per-shard} consumers per shard, all in the consumer group {@value #GROUP}, on
 * core's {@link StreamConsumer} loop and its failure policy: a batch is written in one transaction
 * ({@link VoteBatchWriter}) and only then acknowledged; an outage of PostgreSQL or Redis is waited out
 * and never counts against a vote; an entry PostgreSQL refuses on its own merits is isolated by
 * bisection and dead-lettered once after {@code max-tries} refusals. After each batch the acknowledged
 * history is trimmed off the stream ({@code trim_acknowledged.lua}).
 */
@Component
class VoteStreamIngester implements SmartLifecycle {

    static final String GROUP = "vote-ingesters";
    private static final Logger log = LoggerFactory.getLogger(VoteStreamIngester.class);
    private static final long DEAD_LETTER_MAX_LENGTH = 100_000;
    private static final Duration GAUGE_PERIOD = Duration.ofSeconds(1);
    /** How long a stopping worker gets, beyond one read, to write the batch it holds. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private static final RedisScript<Long> TRIM_ACKNOWLEDGED =
            LuaScripts.of(VoteStreamIngester.class, "trim_acknowledged.lua", Long.class);

    private final StreamConsumers consumers;
    private final StringRedisTemplate redis;
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
    private List<Worker> workers = List.of();
    private ScheduledExecutorService gauges;
    private volatile BatchObserver observer = BatchObserver.NONE;

    VoteStreamIngester(
            StreamConsumers consumers,
            StringRedisTemplate redis,
            VoteBatchWriter writer,
            VotesProperties properties,
            Shards shards,
            MeterRegistry meters) {
        this.consumers = consumers;
        this.redis = redis;
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
                .description("Answers (responses rows) per ingest transaction")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
        this.batchLatency = Timer.builder("pollster.votes.ingest.batch.latency")
                .description("Time to write one ingest transaction to PostgreSQL")
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

    /** The consumer name of worker {@code index} of every shard: stable per instance (core's consumer name). */
    String consumerName(int index) {
        return consumers.consumerName() + "-" + index;
    }

    @Override
    public void start() {
        synchronized (lifecycle) {
            if (!properties.ingesterEnabled() || !workers.isEmpty()) {
                return;
            }
            List<Worker> started = new ArrayList<>();
            for (int shard = 0; shard < shards.count(); shard++) {
                String stream = RedisKeys.voteStream(shard);
                for (int w = 0; w < properties.workersPerShard(); w++) {
                    StreamConsumer consumer = consumers.create(
                            new StreamConsumerSettings(
                                    stream,
                                    GROUP,
                                    consumerName(w),
                                    RedisKeys.voteDeadLetterStream(shard),
                                    properties.batchSize(),
                                    properties.blockTime(),
                                    properties.claimIdleTimeout(),
                                    properties.maxTries(),
                                    properties.retryInitial(),
                                    properties.retryMax(),
                                    DEAD_LETTER_MAX_LENGTH),
                            new VoteHandler(shard, stream));
                    consumer.start();
                    started.add(new Worker(shard, consumer));
                }
            }
            workers = started;
            gauges = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "vote-ingester-gauges");
                thread.setDaemon(true);
                return thread;
            });
            gauges.scheduleWithFixedDelay(this::updateGauges, 0, GAUGE_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
            log.info(
                    "Vote ingester {} consuming {} shard streams with {} workers each",
                    consumers.consumerName(),
                    shards.count(),
                    properties.workersPerShard());
        }
    }

    @Override
    public void stop() {
        synchronized (lifecycle) {
            StreamConsumers.stopAll(workers.stream().map(Worker::consumer).toList(), STOP_GRACE);
            workers = List.of();
            if (gauges != null) {
                gauges.shutdownNow();
                gauges = null;
            }
        }
    }

    @Override
    public boolean isRunning() {
        synchronized (lifecycle) {
            return !workers.isEmpty();
        }
    }

    /** Stops after the web server has drained, before the stores (LifecyclePhases). */
    @Override
    public int getPhase() {
        return LifecyclePhases.VOTE_INGESTER;
    }

    /** Lets a test stop a worker abruptly at a point of the batch, as a SIGKILL would. */
    void observe(BatchObserver observer) {
        this.observer = observer == null ? BatchObserver.NONE : observer;
    }

    /** Whether every worker of a shard is alive (a test's abrupt stop ends one). */
    boolean workerAlive(int shard) {
        synchronized (lifecycle) {
            return workers.stream().filter(w -> w.shard == shard).allMatch(w -> w.consumer.isAlive());
        }
    }

    /** Hook between the commit of a batch and its acknowledgement. */
    interface BatchObserver {
        BatchObserver NONE = (shard, entries) -> {};

        void committed(int shard, List<VoteEvent> entries);
    }

    private record Worker(int shard, StreamConsumer consumer) {}

    private void updateGauges() {
        for (int shard = 0; shard < shards.count(); shard++) {
            String stream = RedisKeys.voteStream(shard);
            try {
                PendingMessagesSummary pending = redis.opsForStream().pending(stream, GROUP);
                pendingByShard.get(shard).set(pending == null ? 0 : pending.getTotalPendingMessages());
                Long length = redis.opsForStream().size(stream);
                lengthByShard.get(shard).set(length == null ? 0 : length);
            } catch (RuntimeException e) {
                // no group yet, or Redis away: the consumers report that; the gauges keep their last value
                log.debug("Vote ingester gauges of shard {}: {}", shard, e.toString());
            }
        }
    }

    /** What one worker does with its batches: PostgreSQL, then (in the loop) XACK, then the trim. */
    private final class VoteHandler implements StreamHandler {

        private final int shard;
        private final String stream;

        VoteHandler(int shard, String stream) {
            this.shard = shard;
            this.stream = stream;
        }

        /**
         * Writes what one read took. An entry is a whole vote (or, written before that, one answer), so a
         * read of {@code batch-size} entries holds up to {@code batch-size} votes; they are written in
         * transactions of at most {@code batch-size} rows, a vote never split, so a statement's size stays
         * what it was when an entry was one row. Every entry is read before anything is written: an
         * unreadable one fails the read before a transaction begins.
         */
        @Override
        public void handle(List<StreamEntry> entries) {
            List<List<VoteEvent>> votes = new ArrayList<>(entries.size());
            for (StreamEntry entry : entries) {
                votes.add(read(entry));
            }
            int limit = properties.batchSize();
            List<VoteEvent> rows = new ArrayList<>(Math.min(limit, entries.size() * 3));
            for (List<VoteEvent> vote : votes) {
                if (!rows.isEmpty() && rows.size() + vote.size() > limit) {
                    write(rows);
                    rows = new ArrayList<>(limit);
                }
                rows.addAll(vote);
            }
            if (!rows.isEmpty()) {
                write(rows);
            }
        }

        private void write(List<VoteEvent> events) {
            Timer.Sample sample = Timer.start(meters);
            VoteBatchWriter.Outcome outcome = writer.write(events);
            sample.stop(batchLatency);
            batchSize.record(events.size());
            observer.committed(shard, events);
            ingested.increment(outcome.inserted());
            rejected.increment(outcome.rejected());
        }

        @Override
        public void deadLettered(StreamEntry entry, String reason) {
            List<VoteEvent> events;
            try {
                events = VoteStreamEntry.events(entry.fields());
            } catch (IllegalArgumentException unreadable) {
                events = List.of(); // nothing to record in PostgreSQL: the dead-letter stream keeps its fields
            }
            if (!events.isEmpty()) {
                // every answer of the vote, one row each; ON CONFLICT DO NOTHING: a repeat after a crash
                // writes nothing twice
                writer.recordDeadLetters(events, reason);
            }
            deadLettered.increment();
        }

        /**
         * Trims everything the group no longer needs, once per batch read: one script call instead of an
         * XDEL of every entry, which was about a tenth of Redis's CPU per vote.
         */
        @Override
        public void afterBatch() {
            redis.execute(TRIM_ACKNOWLEDGED, List.of(stream), GROUP);
        }

        private List<VoteEvent> read(StreamEntry entry) {
            try {
                return VoteStreamEntry.events(entry.fields());
            } catch (IllegalArgumentException e) {
                throw new UnreadableEntryException(e.getMessage(), e);
            }
        }
    }
}
