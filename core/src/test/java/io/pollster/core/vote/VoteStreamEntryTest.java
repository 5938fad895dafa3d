package io.pollster.core.vote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.pollster.core.events.VoteEvent;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VoteStreamEntryTest {

    @Test
    void entryFieldsAreTheVoteEventInSnakeCaseAndReadBack() {
        VoteEvent event = new VoteEvent(
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.parse("2026-11-27T10:15:30.123Z"));

        Map<String, String> fields = VoteStreamEntry.fields(event);

        assertThat(fields)
                .containsOnlyKeys("vote_id", "poll_id", "question_id", "choice_id", "user_id", "submitted_at")
                .containsEntry("submitted_at", "2026-11-27T10:15:30.123Z");
        assertThat(VoteStreamEntry.event(fields)).isEqualTo(event);
    }

    @Test
    void entryWithAMissingOrBadFieldIsUnreadable() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> VoteStreamEntry.event(Map.of("vote_id", "nope")))
                .withMessageContaining("unreadable vote entry");
    }
}
