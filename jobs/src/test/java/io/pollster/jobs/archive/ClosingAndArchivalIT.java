package io.pollster.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.redis.RedisKeys;
import io.pollster.jobs.JobsIntegrationTestSupport;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A poll reaches its deadline: closed within moments, once, and archived whole. */
class ClosingAndArchivalIT extends JobsIntegrationTestSupport {

    @Test
    void pollIsClosedAtItsDeadlineAndArchivedWhenTheProjectorAnnouncesIt() throws Exception {
        Instant closesAt = secondsAhead(2);
        TestPoll poll = createPoll(UUID.randomUUID(), closesAt, 2, 3);
        // cached before the deadline can pass, however slowly the votes below go in
        redis.opsForValue().set(poll.metadataKey(), "{\"closed_at\":null}");
        vote(poll, 40);

        Instant closedAt = awaitClosed(poll.pollId());
        assertThat(closedAt).isEqualTo(closesAt);
        // the closer drops the cached metadata just after its UPDATE commits
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(redis.hasKey(poll.metadataKey()))
                .as("cached metadata invalidated")
                .isFalse());

        // what the projector adds when it sees closed_at in the WAL
        xadd(
                RedisKeys.archivalStream(poll.shard(shards)),
                Map.of("poll_id", poll.pollId().toString(), "event", "poll_closed", "closed_at", closedAt.toString()));

        Map<String, Object> archive = awaitArchived(poll.pollId());
        assertThat(archive).containsEntry("trigger", "stream").containsEntry("attempts", 1);
        assertThat(archive).containsEntry("response_count", 80L);
        assertThat((String) archive.get("location")).endsWith("/polls/" + poll.pollId() + "/");
        ArchiveFiles files = ArchiveFiles.of(ARCHIVE_DIR, poll.pollId());
        assertThat(files.csvRows()).isEqualTo(responsesOf(poll.pollId())).isEqualTo(80);
        assertThat(files.csvLines().get(0))
                .isEqualTo("response_id,vote_id,question_id,choice_id,user_id,submitted_at,ip_address");
        JsonNode json = files.pollJson();
        assertThat(json.get("poll").get("poll_id").asString())
                .isEqualTo(poll.pollId().toString());
        assertThat(json.get("poll").get("questions")).hasSize(2);
        assertThat(json.get("results").get("closed").asBoolean()).isTrue();
        // 40 voters answered both questions: 80 responses, 40 voters
        assertThat(json.get("results").get("total_votes").asLong()).isEqualTo(40);
        assertThat(json.get("results")
                        .get("questions")
                        .get(0)
                        .get("choices")
                        .get(0)
                        .get("count")
                        .asLong())
                .isEqualTo(14); // 40 voters round-robin over 3 choices: 14, 13, 13
        assertThat(json.get("response_count").asLong()).isEqualTo(80);
    }

    @Test
    void sweepArchivesAClosedPollNobodyAnnounced() throws Exception {
        TestPoll poll = createPoll(UUID.randomUUID(), secondsAhead(2), 1, 2);
        vote(poll, 25);

        awaitClosed(poll.pollId());
        Map<String, Object> archive = awaitArchived(poll.pollId());

        assertThat(archive).containsEntry("trigger", "sweep").containsEntry("attempts", 1);
        assertThat(ArchiveFiles.of(ARCHIVE_DIR, poll.pollId()).csvRows()).isEqualTo(responsesOf(poll.pollId()));
    }

    @Test
    void aReplayedArchivalEntryArchivesNothingTwice() throws Exception {
        TestPoll poll = createPoll(UUID.randomUUID(), secondsAhead(1), 1, 2);
        vote(poll, 3);
        Instant closedAt = awaitClosed(poll.pollId());
        Map<String, String> entry =
                Map.of("poll_id", poll.pollId().toString(), "event", "poll_closed", "closed_at", closedAt.toString());
        String stream = RedisKeys.archivalStream(poll.shard(shards));

        xadd(stream, entry);
        awaitArchived(poll.pollId());
        xadd(stream, entry);
        awaitDrained(stream, ArchivalConsumer.GROUP);

        assertThat(awaitArchived(poll.pollId())).containsEntry("attempts", 1);
    }

    @Test
    void aPollClosedByItsCreatorKeepsItsClosedAt() {
        TestPoll poll = createPoll(UUID.randomUUID(), secondsAhead(1), 1, 2);
        OffsetDateTime byCreator = OffsetDateTime.parse("2026-01-01T00:00:00Z");
        jdbc.sql("UPDATE polls SET closed_at = ? WHERE poll_id = ?")
                .params(byCreator, poll.pollId())
                .update();

        awaitArchived(poll.pollId());

        assertThat(closedAt(poll.pollId())).isEqualTo(byCreator.toInstant());
    }

    private Instant awaitClosed(UUID pollId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> closedAt(pollId) != null);
        return closedAt(pollId);
    }

    private Instant closedAt(UUID pollId) {
        OffsetDateTime closedAt = jdbc.sql("SELECT closed_at FROM polls WHERE poll_id = ?")
                .param(pollId)
                .query((rs, n) -> rs.getObject("closed_at", OffsetDateTime.class))
                .list()
                .get(0);
        return closedAt == null ? null : closedAt.toInstant();
    }

    private Map<String, Object> awaitArchived(UUID pollId) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "archived".equals(archiveRow(pollId).get("status")));
        return archiveRow(pollId);
    }

    private Map<String, Object> archiveRow(UUID pollId) {
        return jdbc.sql("SELECT * FROM poll_archives WHERE poll_id = ?").param(pollId).query().listOfRows().stream()
                .findFirst()
                .orElse(Map.of());
    }
}
