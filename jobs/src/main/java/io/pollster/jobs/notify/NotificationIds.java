package io.pollster.jobs.notify;

import io.pollster.core.events.NotifyEvent;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The id of a notification, derived from its content: the same event, however often replayed, is the
 * same notification. For a milestone that is (poll, threshold), the message carrying the threshold.
 */
final class NotificationIds {

    private NotificationIds() {}

    static UUID of(NotifyEvent event) {
        String key = String.join(
                "\n",
                "pollster-notification",
                event.pollId().toString(),
                event.type(),
                event.recipientId().toString(),
                event.message());
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
    }
}
