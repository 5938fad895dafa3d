package io.pollster.core.stream;

import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Makes the {@link StreamConsumer}s of a service, on the service's Redis client and under this
 * instance's stable consumer name ({@link ConsumerNames}).
 */
public final class StreamConsumers {

    private static final Logger log = LoggerFactory.getLogger(StreamConsumers.class);

    private final RedisConnectionFactory redis;
    private final String consumerName;

    public StreamConsumers(RedisConnectionFactory redis, String consumerName) {
        this.redis = redis;
        this.consumerName = consumerName;
    }

    /** This instance's consumer name: the same after a restart, so its pending entries are its own again. */
    public String consumerName() {
        return consumerName;
    }

    /** A consumer, not yet started; each has its own connection (its blocking reads must not stall others). */
    public StreamConsumer create(StreamConsumerSettings settings, StreamHandler handler) {
        return new StreamConsumer(redis, settings, handler);
    }

    /**
     * Stops consumers together: each finishes its read (at most {@code blockTime}) and the batch it holds;
     * one still busy {@code grace} later is interrupted, and its unacknowledged entries are replayed later.
     */
    public static void stopAll(List<StreamConsumer> consumers, Duration grace) {
        consumers.forEach(StreamConsumer::signalStop);
        Duration longestBlock = consumers.stream()
                .map(c -> c.settings().blockTime())
                .max(Duration::compareTo)
                .orElse(Duration.ZERO);
        long deadline = System.nanoTime() + longestBlock.plus(grace).toNanos();
        for (StreamConsumer consumer : consumers) {
            if (!consumer.awaitStopped(deadline)) {
                log.warn("Stream consumer {} did not stop in time; interrupting it", consumer);
                consumer.interrupt();
            }
        }
    }
}
