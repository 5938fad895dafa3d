package io.pollster.cdc.projection;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.pollster.cdc.CdcProperties;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.LettuceConnections;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * Appends change events for data teams to {@code changes:stream-{N}} (schema: docs/change-events.md):
 * every inserted response and every change of a poll, in commit order, trimmed on append.
 */
@Component
@ConditionalOnBooleanProperty(name = "pollster.cdc.enabled", matchIfMissing = true)
class ChangeStreamWriter {

    static final String RESPONSE_INSERTED = "response_inserted";
    static final String POLL_CREATED = "poll_created";
    static final String POLL_UPDATED = "poll_updated";
    static final String POLL_DELETED = "poll_deleted";

    private final ProjectorRedis redis;
    private final Shards shards;
    private final CdcProperties properties;
    private final Clock clock;

    ChangeStreamWriter(ProjectorRedis redis, Shards shards, CdcProperties properties, Clock clock) {
        this.redis = redis;
        this.shards = shards;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Appends the events of {@code changes} and waits until Redis has taken every one; throws if it did
     * not (the batch is then applied again). Changes of other tables are ignored. The XADDs go out
     * back to back on the projector's connection, which pipelines them, and are awaited together.
     */
    void append(List<RowChange> changes) {
        LettuceConnections.Strings connection = null;
        RedisClusterAsyncCommands<String, String> commands = null;
        XAddArgs trimming = null;
        List<RedisFuture<String>> appended = new ArrayList<>();
        for (RowChange change : changes) {
            String event = eventOf(change);
            if (event == null) {
                continue;
            }
            if (commands == null) {
                connection = redis.connection();
                commands = connection.async();
                trimming = trimming();
            }
            UUID pollId = change.uuid("poll_id");
            Map<String, String> fields = new LinkedHashMap<>(8);
            fields.put("event", event);
            fields.put("poll_id", String.valueOf(pollId));
            fields.put("lsn", Long.toString(change.lsn()));
            fields.put("committed_at", change.committedAt().toString());
            fields.put("row", PollsterJson.mapper().writeValueAsString(change.row()));
            appended.add(commands.xadd(RedisKeys.changesStream(shards.of(pollId)), trimming, fields));
        }
        if (appended.isEmpty()) {
            return;
        }
        Duration timeout = connection.connection().getTimeout();
        if (!LettuceFutures.awaitAll(timeout, appended.toArray(RedisFuture[]::new))) {
            throw new RedisCommandTimeoutException(
                    "Redis did not take the batch's " + appended.size() + " change events within " + timeout);
        }
    }

    private XAddArgs trimming() {
        if (properties.changesRetention() != null) {
            long oldest = clock.millis() - properties.changesRetention().toMillis();
            return new XAddArgs().minId(oldest + "-0").approximateTrimming();
        }
        return new XAddArgs().maxlen(properties.changesMaxLength()).approximateTrimming();
    }

    private static String eventOf(RowChange change) {
        return switch (change.table()) {
            case "responses" -> change.operation() == RowChange.Operation.INSERT ? RESPONSE_INSERTED : null;
            case "polls" ->
                switch (change.operation()) {
                    case INSERT -> POLL_CREATED;
                    case UPDATE -> POLL_UPDATED;
                    case DELETE -> POLL_DELETED;
                };
            default -> null;
        };
    }
}
