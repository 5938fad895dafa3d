package io.pollster.api.vote;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import io.pollster.testing.PollFixtures;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Polls created straight in PostgreSQL ({@link PollFixtures}), as write-api's tests read them, and their counts. */
public final class TestPolls {

    private final JdbcClient jdbc;

    public TestPolls(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public PollDefinition open(int questions, int choices) {
        return create(questions, choices, null);
    }

    public PollDefinition create(int questions, int choices, Instant closesAt) {
        UUID pollId = PollFixtures.onTestServers()
                .create(PollFixtures.poll()
                        .closesAt(closesAt)
                        .questions(questions)
                        .choices(choices))
                .pollId();
        return new PollDefinitions(jdbc).findById(pollId).orElseThrow();
    }

    public void close(UUID pollId) {
        PollFixtures.onTestServers().close(pollId);
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
