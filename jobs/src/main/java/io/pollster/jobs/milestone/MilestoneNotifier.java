package io.pollster.jobs.milestone;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.core.events.MilestoneEvent;
import io.pollster.core.events.NotifyEvent;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.core.stream.StreamConsumers;
import io.pollster.jobs.runtime.ShardedStreamWorker;
import io.pollster.jobs.runtime.StreamEvents;
import io.pollster.jobs.runtime.StreamProperties;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisStreamCommands.XAddOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code milestone:stream-*}: a total that reached a threshold becomes a milestone notification
 * to the poll's creator on {@code notify:stream-*}. Replays publish the same notification again, which
 * delivery recognises by its content-derived id: this step needs no state of its own.
 */
@Component
class MilestoneNotifier extends ShardedStreamWorker {

    static final String GROUP = "jobs-milestones";
    static final String TYPE = "milestone";
    private static final Logger log = LoggerFactory.getLogger(MilestoneNotifier.class);
    // the notify stream is ours: bound it, delivered entries are of no further use
    private static final XAddOptions BOUNDED = XAddOptions.maxlen(100_000).approximateTrimming(true);

    private final StringRedisTemplate redis;
    private final Shards shards;
    private final JdbcClient jdbc;
    private final MilestoneThresholds thresholds;
    private final Counter published;

    MilestoneNotifier(
            StreamConsumers consumers,
            StringRedisTemplate redis,
            Shards shards,
            JdbcClient jdbc,
            StreamProperties streams,
            MilestoneProperties properties,
            MeterRegistry meters) {
        super(consumers, shards, RedisKeys::milestoneStream, GROUP, streams, properties.enabled());
        this.redis = redis;
        this.shards = shards;
        this.jdbc = jdbc;
        this.thresholds = new MilestoneThresholds(properties.thresholds());
        this.published = Counter.builder("pollster.jobs.milestones.published")
                .description("Milestone notifications published to notify:stream-*, replays included")
                .register(meters);
    }

    @Override
    protected void handle(Map<String, String> fields) {
        MilestoneEvent event = StreamEvents.read(fields, MilestoneEvent.class);
        OptionalLong threshold = thresholds.reachedBy(event.totalVotes());
        if (threshold.isEmpty()) {
            return;
        }
        Optional<UUID> creator = jdbc.sql("SELECT creator_id FROM polls WHERE poll_id = ?")
                .param(event.pollId())
                .query(UUID.class)
                .optional();
        if (creator.isEmpty()) {
            log.warn("Milestone of unknown poll {} ignored", event.pollId());
            return;
        }
        NotifyEvent notification = new NotifyEvent(
                event.pollId(), TYPE, creator.get(), MilestoneThresholds.message(threshold.getAsLong()));
        redis.opsForStream()
                .add(RedisKeys.notifyStream(shards.of(event.pollId())), StreamEvents.write(notification), BOUNDED);
        published.increment();
    }
}
