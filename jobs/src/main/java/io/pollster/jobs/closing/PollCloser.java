package io.pollster.jobs.closing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.core.redis.RedisKeys;
import io.pollster.jobs.runtime.PeriodicJob;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Closes polls whose {@code closes_at} has passed. One conditional UPDATE over rows locked with SKIP
 * LOCKED: with several jobs instances each poll is closed by exactly one of them, and a poll its
 * creator closed meanwhile keeps its own {@code closed_at}.
 */
@Component
class PollCloser implements PeriodicJob {

    private static final Logger log = LoggerFactory.getLogger(PollCloser.class);

    private final JdbcClient jdbc;
    private final StringRedisTemplate redis;
    private final ClosingProperties properties;
    private final Counter closed;

    PollCloser(JdbcClient jdbc, StringRedisTemplate redis, ClosingProperties properties, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.redis = redis;
        this.properties = properties;
        this.closed = Counter.builder("pollster.jobs.polls.closed")
                .description("Polls closed at their closes_at by this instance")
                .register(meters);
    }

    @Override
    public String name() {
        return "poll-closing";
    }

    @Override
    public boolean enabled() {
        return properties.enabled();
    }

    @Override
    public Duration interval() {
        return properties.interval();
    }

    @Override
    public void runOnce() {
        List<UUID> batch;
        do {
            batch = closeDue();
            batch.forEach(this::forgetMetadata);
        } while (batch.size() == properties.batchSize());
    }

    private List<UUID> closeDue() {
        List<UUID> closedNow = jdbc.sql(
                        """
                        UPDATE polls SET closed_at = closes_at
                        WHERE poll_id IN (
                            SELECT poll_id FROM polls
                            WHERE closed_at IS NULL AND closes_at <= now()
                            ORDER BY closes_at LIMIT ?
                            FOR UPDATE SKIP LOCKED)
                          AND closed_at IS NULL
                        RETURNING poll_id
                        """)
                .param(properties.batchSize())
                .query(UUID.class)
                .list();
        if (!closedNow.isEmpty()) {
            closed.increment(closedNow.size());
            log.info("Closed {} polls at their closes_at", closedNow.size());
        }
        return closedNow;
    }

    /**
     * The cached metadata still says open. Readers also compare {@code closes_at} with the clock, so a
     * failure here (Redis down) delays nothing but the cache's own view; it is logged, not retried.
     */
    private void forgetMetadata(UUID pollId) {
        try {
            redis.delete(RedisKeys.pollMetadata(pollId));
        } catch (DataAccessException e) {
            log.warn("Closed poll {} but could not drop its cached metadata", pollId, e);
        }
    }
}
