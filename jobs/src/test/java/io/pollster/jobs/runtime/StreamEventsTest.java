package io.pollster.jobs.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.events.ArchivalEvent;
import io.pollster.core.events.MilestoneEvent;
import io.pollster.core.events.NotifyEvent;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class StreamEventsTest {

    private final UUID poll = UUID.randomUUID();

    @Test
    void readsTheProjectorsSnakeCaseEntries() {
        assertThat(StreamEvents.read(Map.of("poll_id", poll.toString(), "total_votes", "10000"), MilestoneEvent.class))
                .isEqualTo(new MilestoneEvent(poll, 10_000));
        assertThat(StreamEvents.read(
                        Map.of("poll_id", poll.toString(), "event", "poll_closed", "closed_at", "2026-03-01T12:00:00Z"),
                        ArchivalEvent.class))
                .isEqualTo(ArchivalEvent.pollClosed(poll, Instant.parse("2026-03-01T12:00:00Z")));
    }

    @Test
    void writesNotifyEntriesWithTheFieldsOfTheKeySchema() {
        UUID recipient = UUID.randomUUID();
        NotifyEvent event = new NotifyEvent(poll, "milestone", recipient, "Your poll just hit 100 votes!");

        Map<String, String> fields = StreamEvents.write(event);

        assertThat(fields)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "poll_id",
                        poll.toString(),
                        "type",
                        "milestone",
                        "recipient_id",
                        recipient.toString(),
                        "message",
                        "Your poll just hit 100 votes!"));
        assertThat(StreamEvents.read(fields, NotifyEvent.class)).isEqualTo(event);
    }
}
