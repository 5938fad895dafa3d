package io.pollster.jobs.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.core.events.NotifyEvent;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.core.stream.StreamConsumers;
import io.pollster.jobs.runtime.ShardedStreamWorker;
import io.pollster.jobs.runtime.StreamEvents;
import io.pollster.jobs.runtime.StreamProperties;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code notify:stream-*} into the inbox (and the webhook outbox). The entry is acknowledged
 * after the commit; a replay finds the notification's id taken and changes nothing.
 */
@Component
class NotificationDeliverer extends ShardedStreamWorker {

    static final String GROUP = "jobs-notify";

    private final NotificationInbox inbox;
    private final NotifyProperties properties;
    private final Counter delivered;

    NotificationDeliverer(
            StreamConsumers consumers,
            Shards shards,
            StreamProperties streams,
            NotifyProperties properties,
            NotificationInbox inbox,
            MeterRegistry meters) {
        super(consumers, shards, RedisKeys::notifyStream, GROUP, streams, properties.enabled());
        this.inbox = inbox;
        this.properties = properties;
        this.delivered = Counter.builder("pollster.jobs.notifications.delivered")
                .description("Notifications stored in an inbox (replays not counted)")
                .register(meters);
    }

    @Override
    protected void handle(Map<String, String> fields) {
        if (inbox.deliver(
                StreamEvents.read(fields, NotifyEvent.class),
                properties.webhook().url())) {
            delivered.increment();
        }
    }
}
