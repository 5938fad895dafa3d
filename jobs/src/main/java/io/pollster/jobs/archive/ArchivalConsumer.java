package io.pollster.jobs.archive;

import io.pollster.core.events.ArchivalEvent;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.core.stream.StreamConsumers;
import io.pollster.jobs.runtime.ShardedStreamWorker;
import io.pollster.jobs.runtime.StreamEvents;
import io.pollster.jobs.runtime.StreamProperties;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code archival:stream-*}: a closed poll is archived at once. A replay, or a poll being
 * archived by another instance, finds the archive claimed and is acknowledged without effect.
 */
@Component
class ArchivalConsumer extends ShardedStreamWorker {

    static final String GROUP = "jobs-archival";

    private final PollArchiver archiver;

    ArchivalConsumer(
            StreamConsumers consumers,
            Shards shards,
            StreamProperties streams,
            ArchiveProperties properties,
            PollArchiver archiver) {
        super(consumers, shards, RedisKeys::archivalStream, GROUP, streams, properties.enabled());
        this.archiver = archiver;
    }

    @Override
    protected void handle(Map<String, String> fields) {
        ArchivalEvent event = StreamEvents.read(fields, ArchivalEvent.class);
        if (ArchivalEvent.POLL_CLOSED.equals(event.event())) {
            archiver.archive(event.pollId(), PollArchiver.Trigger.STREAM);
        }
    }
}
