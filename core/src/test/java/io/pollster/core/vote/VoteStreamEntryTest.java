package io.pollster.core.vote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pollster.core.events.AcceptedVote;
import io.pollster.core.events.VoteEvent;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VoteStreamEntryTest {

    @Test
    void everyInstantReadsBackAsInstantParseReadsIt() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            // whole seconds, millis, micros and nanos: Instant.toString prints 0, 3, 6 or 9 digits
            long seconds = random.nextLong(-62_135_596_800L, 253_402_300_799L);
            int nanos =
                    switch (i % 4) {
                        case 0 -> 0;
                        case 1 -> random.nextInt(1_000) * 1_000_000;
                        case 2 -> random.nextInt(1_000_000) * 1_000;
                        default -> random.nextInt(1_000_000_000);
                    };
            String text = Instant.ofEpochSecond(seconds, nanos).toString();

            assertThat(VoteStreamEntry.instant(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-11-27T18:32:09Z",
                "2026-11-27T18:32:09.1Z",
                "2026-11-27T18:32:09.12Z",
                "2024-02-29T23:59:59.999999999Z",
                "1970-01-01T00:00:00Z",
                "2026-11-27T18:32:09.Z",
                "2026-11-27T18:32:09+01:00",
                "+12026-11-27T18:32:09Z"
            })
    void otherWrittenFormsReadAsInstantParseReadsThem(String text) {
        assertThat(VoteStreamEntry.instant(text)).isEqualTo(Instant.parse(text));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-13-27T18:32:09Z",
                "2026-02-30T18:32:09Z",
                "2026-11-27T24:00:00Z",
                "2026-11-27T18:3x:09Z",
                "yesterday"
            })
    void unreadableTimesAreRefused(String text) {
        assertThatThrownBy(() -> VoteStreamEntry.instant(text)).isInstanceOf(DateTimeException.class);
    }

    @Test
    void aWholeVoteIsOneEntryThatReadsBackAsOneEventPerAnswer() {
        UUID q1 = UUID.randomUUID();
        UUID q2 = UUID.randomUUID();
        List<AcceptedVote.Answer> answers = List.of(
                new AcceptedVote.Answer(q1, UUID.randomUUID()),
                new AcceptedVote.Answer(q2, UUID.randomUUID()),
                new AcceptedVote.Answer(q2, UUID.randomUUID()));
        AcceptedVote vote = new AcceptedVote(
                VoteIds.mint(Instant.now()),
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.parse("2026-11-27T18:32:09.180123Z"),
                null,
                answers);

        Map<String, String> fields = VoteStreamEntry.fields(vote);

        assertThat(fields)
                .containsOnlyKeys(
                        VoteStreamEntry.VOTE_ID,
                        VoteStreamEntry.POLL_ID,
                        VoteStreamEntry.USER_ID,
                        VoteStreamEntry.SUBMITTED_AT,
                        VoteStreamEntry.ANSWERS);
        assertThat(fields.get(VoteStreamEntry.ANSWERS))
                .isEqualTo(q1 + ":" + answers.get(0).choiceId() + "," + q2 + ":"
                        + answers.get(1).choiceId() + "," + q2 + ":"
                        + answers.get(2).choiceId());
        assertThat(VoteStreamEntry.events(fields)).isEqualTo(vote.events()).hasSize(3);
    }

    @Test
    void anAnonymousVotesAddressTravelsWithItsEntry() {
        AcceptedVote vote = new AcceptedVote(
                VoteIds.mint(Instant.now()),
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.parse("2026-11-27T18:32:09Z"),
                "2001:db8:0:0:0:0:0:1",
                List.of(new AcceptedVote.Answer(UUID.randomUUID(), UUID.randomUUID())));

        assertThat(VoteStreamEntry.fields(vote)).containsEntry(VoteStreamEntry.IP_ADDRESS, "2001:db8:0:0:0:0:0:1");
        assertThat(VoteStreamEntry.events(VoteStreamEntry.fields(vote)))
                .singleElement()
                .extracting(VoteEvent::ipAddress)
                .isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void anEntryOfTheOldOneAnswerFormatReadsBackAsItsOneEvent() {
        VoteEvent event = new VoteEvent(
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.parse("2026-11-27T18:32:09.180123Z"),
                "192.0.2.1");
        // the fields exactly as the script before whole-vote entries wrote them
        Map<String, String> fields = Map.of(
                "vote_id", event.voteId().toString(),
                "poll_id", event.pollId().toString(),
                "question_id", event.questionId().toString(),
                "choice_id", event.choiceId().toString(),
                "user_id", event.userId().toString(),
                "submitted_at", "2026-11-27T18:32:09.180123Z",
                "ip_address", "192.0.2.1");

        assertThat(VoteStreamEntry.events(fields)).containsExactly(event);
        assertThat(VoteStreamEntry.perAnswerFields(event)).isEqualTo(fields);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "11111111-1111-1111-1111-111111111111",
                "11111111-1111-1111-1111-111111111111:",
                "11111111-1111-1111-1111-111111111111:22222222-2222-2222-2222-222222222222,",
                ",11111111-1111-1111-1111-111111111111:22222222-2222-2222-2222-222222222222",
                "1-1-1-1-1:22222222-2222-2222-2222-222222222222",
                "11111111-1111-1111-1111-111111111111:2222222x-2222-2222-2222-222222222222",
                "11111111-1111-1111-1111-111111111111;22222222-2222-2222-2222-222222222222"
            })
    void unreadableAnswersMakeTheEntryUnreadable(String answers) {
        Map<String, String> fields = new HashMap<>(VoteStreamEntry.fields(new AcceptedVote(
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.now(),
                null,
                List.of(new AcceptedVote.Answer(UUID.randomUUID(), UUID.randomUUID())))));
        fields.put(VoteStreamEntry.ANSWERS, answers);

        assertThatThrownBy(() -> VoteStreamEntry.events(fields)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vote_id", "poll_id", "user_id", "submitted_at", "answers"})
    void anEntryMissingAFieldIsUnreadable(String missing) {
        Map<String, String> fields = new HashMap<>(VoteStreamEntry.fields(new AcceptedVote(
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.now(),
                null,
                List.of(new AcceptedVote.Answer(UUID.randomUUID(), UUID.randomUUID())))));
        fields.remove(missing);

        assertThatThrownBy(() -> VoteStreamEntry.events(fields))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing");
    }
}
