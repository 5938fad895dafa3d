package io.pollster.jobs.runtime;

import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.core.stream.StreamConsumer;
import io.pollster.core.stream.StreamConsumerSettings;
import io.pollster.core.stream.StreamConsumers;
import io.pollster.core.stream.StreamEntry;
import io.pollster.core.stream.StreamHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The consumers of one consumer group over every shard of a sharded stream: one core
 * {@link StreamConsumer} per shard, under this instance's stable consumer name, with core's failure
 * policy (an outage is waited out and never counts a try; an entry refused on its own merits is
 * dead-lettered to {@link RedisKeys#deadLetterStream} after {@code max-tries}). An entry is acknowledged
 * only after {@link #handle} returned, that is after its durable effect. Delivery is therefore at least
 * once (a batch that failed half way is handled again), and every {@link #handle} must be idempotent.
 */
public abstract class ShardedStreamWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ShardedStreamWorker.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final long DEAD_LETTER_MAX_LENGTH = 100_000;

    private final StreamConsumers consumers;
    private final List<String> streams;
    private final String group;
    private final StreamProperties settings;
    private final boolean enabled;
    private List<StreamConsumer> running = List.of();

    protected ShardedStreamWorker(
            StreamConsumers consumers,
            Shards shards,
            IntFunction<String> streamOfShard,
            String group,
            StreamProperties settings,
            boolean enabled) {
        this.consumers = consumers;
        this.streams =
                IntStream.range(0, shards.count()).mapToObj(streamOfShard).toList();
        this.group = group;
        this.settings = settings;
        this.enabled = enabled;
    }

    /**
     * Applies one entry's effect durably. Throwing leaves the entry pending; whether it is retried until
     * the stores answer or counts a try is core's {@code StreamFailures} policy.
     */
    protected abstract void handle(Map<String, String> fields);

    /** The consumer group this worker belongs to. */
    public String group() {
        return group;
    }

    @Override
    public synchronized void start() {
        if (!enabled || !running.isEmpty()) {
            return;
        }
        List<StreamConsumer> started = new ArrayList<>();
        for (String stream : streams) {
            StreamConsumer consumer = consumers.create(
                    new StreamConsumerSettings(
                            stream,
                            group,
                            consumers.consumerName(),
                            RedisKeys.deadLetterStream(stream),
                            settings.batchSize(),
                            settings.blockTime(),
                            settings.claimIdle(),
                            settings.maxTries(),
                            settings.retryInitial(),
                            settings.retryMax(),
                            DEAD_LETTER_MAX_LENGTH),
                    new EachEntry());
            consumer.start();
            started.add(consumer);
        }
        running = started;
        log.info("Consumer {} of group {} reads {}", consumers.consumerName(), group, streams);
    }

    @Override
    public void stop() {
        StreamConsumers.stopAll(signalStop(), STOP_GRACE);
    }

    /** Stops without holding up the other beans' shutdown: the workers of one context stop together. */
    @Override
    public void stop(Runnable callback) {
        List<StreamConsumer> stopping = signalStop();
        Thread waiter = new Thread(
                () -> {
                    StreamConsumers.stopAll(stopping, STOP_GRACE);
                    callback.run();
                },
                group + "-stop");
        waiter.setDaemon(true);
        waiter.start();
    }

    private synchronized List<StreamConsumer> signalStop() {
        List<StreamConsumer> stopping = running;
        running = List.of();
        stopping.forEach(StreamConsumer::signalStop);
        return stopping;
    }

    @Override
    public synchronized boolean isRunning() {
        return !running.isEmpty();
    }

    /** The entries of a batch one after the other; a failure leaves the whole batch to the loop's policy. */
    private final class EachEntry implements StreamHandler {

        @Override
        public void handle(List<StreamEntry> entries) {
            for (StreamEntry entry : entries) {
                ShardedStreamWorker.this.handle(entry.fields());
            }
        }
    }
}
