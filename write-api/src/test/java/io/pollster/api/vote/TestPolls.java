package io.pollster.api.vote;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Polls created straight in PostgreSQL, as POST /api/polls would leave them (counters at 0). */
public final class TestPolls {

    private final JdbcClient jdbc;

    public TestPolls(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public PollDefinition open(int questions, int choices) {
        return create(questions, choices, null);
    }

    public PollDefinition create(int questions, int choices, Instant closesAt) {
        UUID pollId = UUID.randomUUID();
        jdbc.sql("INSERT INTO polls (poll_id, creator_id, title, unique_slug, closes_at) VALUES (?, ?, ?, ?, ?)")
                .params(
                        pollId,
                        UUID.randomUUID(),
                        "Poll " + pollId,
                        "poll-" + pollId,
                        closesAt == null ? null : closesAt.atOffset(ZoneOffset.UTC))
                .update();
        for (int q = 0; q < questions; q++) {
            UUID questionId = UUID.randomUUID();
            jdbc.sql("INSERT INTO questions (question_id, poll_id, question_text, \"order\") VALUES (?, ?, ?, ?)")
                    .params(questionId, pollId, "Question " + q, q)
                    .update();
            for (int c = 0; c < choices; c++) {
                UUID choiceId = UUID.randomUUID();
                jdbc.sql("INSERT INTO choices (choice_id, question_id, choice_text, position) VALUES (?, ?, ?, ?)")
                        .params(choiceId, questionId, "Choice " + c, c)
                        .update();
                jdbc.sql("INSERT INTO choice_counts (choice_id, poll_id, question_id, count) VALUES (?, ?, ?, 0)")
                        .params(choiceId, pollId, questionId)
                        .update();
            }
        }
        return new PollDefinitions(jdbc).findById(pollId).orElseThrow();
    }

    public void close(UUID pollId) {
        jdbc.sql("UPDATE polls SET closed_at = now() WHERE poll_id = ?")
                .param(pollId)
                .update();
    }

    public long responses(UUID pollId) {
        return jdbc.sql("SELECT count(*) FROM responses WHERE poll_id = ?")
                .param(pollId)
                .query(Long.class)
                .single();
    }

    /** choice_counts of a poll, by choice. */
    public Map<UUID, Long> counters(UUID pollId) {
        return jdbc
                .sql("SELECT choice_id, count FROM choice_counts WHERE poll_id = ?")
                .param(pollId)
                .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getLong(2)))
                .list()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** COUNT(*) of responses of a poll, by choice (choices without responses absent). */
    public Map<UUID, Long> responsesByChoice(UUID pollId) {
        return jdbc
                .sql("SELECT choice_id, count(*) FROM responses WHERE poll_id = ? GROUP BY choice_id")
                .param(pollId)
                .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getLong(2)))
                .list()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Asserts that every choice's counter equals COUNT(*) of its responses. */
    public void assertCountersMatchResponses(PollDefinition poll) {
        Map<UUID, Long> counted = responsesByChoice(poll.pollId());
        Map<UUID, Long> counters = counters(poll.pollId());
        for (PollDefinition.Question question : poll.questions()) {
            for (PollDefinition.Choice choice : question.choices()) {
                assertThat(counters.get(choice.choiceId()))
                        .as("counter of choice %s", choice.choiceId())
                        .isEqualTo(counted.getOrDefault(choice.choiceId(), 0L));
            }
        }
    }
}
