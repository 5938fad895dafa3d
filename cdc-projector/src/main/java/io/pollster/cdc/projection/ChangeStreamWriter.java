package io.pollster.cdc.projection;

import io.pollster.cdc.CdcProperties;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.data.redis.connection.RedisStreamCommands.XAddOptions;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.connection.stream.StringRecord;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StreamOperations;
import org.springframework.data.redis.core.StringRedisTemplate;
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

    private final StringRedisTemplate redis;
    private final Shards shards;
    private final CdcProperties properties;
    private final Clock clock;

    ChangeStreamWriter(StringRedisTemplate redis, Shards shards, CdcProperties properties, Clock clock) {
        this.redis = redis;
        this.shards = shards;
        this.properties = properties;
        this.clock = clock;
    }

    /** Appends the events of {@code changes} in one pipeline; changes of other tables are ignored. */
    void append(List<RowChange> changes) {
        List<StringRecord> records = new ArrayList<>();
        for (RowChange change : changes) {
            String event = eventOf(change);
            if (event != null) {
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put("event", event);
                fields.put("poll_id", String.valueOf(change.uuid("poll_id")));
                fields.put("lsn", Long.toString(change.lsn()));
                fields.put("committed_at", change.committedAt().toString());
                fields.put("row", PollsterJson.mapper().writeValueAsString(change.row()));
                records.add(StreamRecords.string(fields)
                        .withStreamKey(RedisKeys.changesStream(shards.of(change.uuid("poll_id")))));
            }
        }
        if (records.isEmpty()) {
            return;
        }
        XAddOptions trimming = trimming();
        redis.executePipelined(new SessionCallback<Object>() {
            @Override
            @SuppressWarnings("unchecked")
            public Object execute(RedisOperations operations) {
                StreamOperations<String, String, String> streams = operations.opsForStream();
                records.forEach(record -> streams.add(record, trimming));
                return null;
            }
        });
    }

    private XAddOptions trimming() {
        if (properties.changesRetention() != null) {
            long oldest = clock.millis() - properties.changesRetention().toMillis();
            return XAddOptions.none().minId(RecordId.of(oldest, 0)).approximateTrimming(true);
        }
        return XAddOptions.maxlen(properties.changesMaxLength()).approximateTrimming(true);
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
