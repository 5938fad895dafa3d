package io.pollster.cdc.milestone;

import io.pollster.cdc.CdcProperties;
import io.pollster.core.redis.LuaScripts;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Turns a poll's total crossing a threshold into exactly one event on {@code milestone:stream-{N}},
 * however often the WAL is replayed. PostgreSQL records that the milestone was reached ({@code
 * cdc_milestones}, unique per poll and threshold); the event is appended by a Lua script that also
 * marks it in Redis, and only then is the row marked published. A crash between the append and that
 * mark re-runs the script, which finds its marker and appends nothing. See docs/cdc-projector.md.
 */
@Component
@ConditionalOnBooleanProperty(name = "pollster.cdc.enabled", matchIfMissing = true)
public class MilestoneRecorder {

    private static final RedisScript<Long> PUBLISH =
            LuaScripts.of(MilestoneRecorder.class, "publish_milestone.lua", Long.class);

    private final JdbcClient jdbc;
    private final StringRedisTemplate redis;
    private final Shards shards;
    private final List<Long> thresholds;
    /** Highest threshold known published per poll: spares PostgreSQL a query per batch. */
    private final Map<UUID, Long> published = new ConcurrentHashMap<>();

    public MilestoneRecorder(JdbcClient jdbc, StringRedisTemplate redis, Shards shards, CdcProperties properties) {
        this.jdbc = jdbc;
        this.redis = redis;
        this.shards = shards;
        this.thresholds = properties.milestoneThresholds();
    }

    /** Records and publishes every milestone at or below {@code totalVotes} not published yet. */
    public void onTotal(UUID pollId, long totalVotes) {
        List<Long> reached = thresholds.stream().filter(t -> t <= totalVotes).toList();
        if (reached.isEmpty()) {
            return;
        }
        long highest = reached.get(reached.size() - 1);
        Long known = published.get(pollId);
        if (known != null && known >= highest) {
            return;
        }
        for (long threshold : reached) {
            if (known == null || threshold > known) {
                jdbc.sql("INSERT INTO cdc_milestones (poll_id, threshold) VALUES (?, ?) ON CONFLICT DO NOTHING")
                        .params(pollId, threshold)
                        .update();
            }
        }
        List<Long> pending = jdbc.sql(
                        "SELECT threshold FROM cdc_milestones WHERE poll_id = ? AND published_at IS NULL ORDER BY threshold")
                .param(pollId)
                .query(Long.class)
                .list();
        int shard = shards.of(pollId);
        for (long threshold : pending) {
            redis.execute(
                    PUBLISH,
                    List.of(RedisKeys.milestoneStream(shard), RedisKeys.milestonesPublished(shard)),
                    pollId + ":" + threshold,
                    pollId.toString(),
                    Long.toString(threshold));
            jdbc.sql("UPDATE cdc_milestones SET published_at = now() WHERE poll_id = ? AND threshold = ?")
                    .params(pollId, threshold)
                    .update();
        }
        published.merge(pollId, highest, Math::max);
    }
}
