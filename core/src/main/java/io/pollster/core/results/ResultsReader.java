package io.pollster.core.results;

import io.pollster.core.poll.PollDefinition;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The read path of results (docs/design.md): counters from Redis; on a miss, or a hash lacking some counter
 * (Redis lost and partly refilled), from {@code choice_counts}, {@code question_voter_counts} and {@code
 * poll_voter_counts} in PostgreSQL, written back with keep-the-greater so a rebuild never overwrites a
 * newer count. With Redis unreachable, results come straight from PostgreSQL.
 */
public class ResultsReader {

    private static final Logger log = LoggerFactory.getLogger(ResultsReader.class);

    private final CountsStore counts;
    private final JdbcClient jdbc;
    private final Clock clock;

    public ResultsReader(CountsStore counts, JdbcClient jdbc, Clock clock) {
        this.counts = counts;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public Results read(PollDefinition poll) {
        return ResultsAssembler.assemble(poll, currentPollCounts(poll), poll.isClosedAt(clock.instant()));
    }

    /** The counts of every choice of the poll, rebuilding Redis from PostgreSQL when it lacks any counter. */
    public Map<UUID, Long> currentCounts(PollDefinition poll) {
        return currentPollCounts(poll).choices();
    }

    /** Every counter of the poll, rebuilding Redis from PostgreSQL when it lacks any. */
    public PollCounts currentPollCounts(PollDefinition poll) {
        PollCounts cached;
        try {
            cached = counts.readAll(poll.pollId());
        } catch (DataAccessException redisDown) {
            log.warn("Redis unreachable, reading counts of poll {} from PostgreSQL", poll.pollId(), redisDown);
            return fromPostgres(poll);
        }
        if (cached.coversEveryCounter(poll)) {
            return cached;
        }
        PollCounts truth = fromPostgres(poll);
        try {
            return counts.keepGreater(poll.pollId(), truth);
        } catch (DataAccessException redisDown) {
            return truth;
        }
    }

    /**
     * The counters PostgreSQL has, one query. A counter without a row is 0: the ingester creates rows it
     * misses, so no row means nothing counted yet.
     */
    public PollCounts fromPostgres(PollDefinition poll) {
        return fromPostgres(jdbc, poll);
    }

    /** {@link #fromPostgres(PollDefinition)} on a given client, e.g. inside a caller's snapshot transaction. */
    public static PollCounts fromPostgres(JdbcClient jdbc, PollDefinition poll) {
        Map<UUID, Long> choices = new HashMap<>();
        Map<UUID, Long> questions = new HashMap<>();
        long[] pollVoters = {0};
        jdbc.sql(
                        """
                        SELECT 'c' AS kind, choice_id AS id, count FROM choice_counts WHERE poll_id = :poll
                        UNION ALL
                        SELECT 'q', question_id, voters FROM question_voter_counts WHERE poll_id = :poll
                        UNION ALL
                        SELECT 'p', poll_id, voters FROM poll_voter_counts WHERE poll_id = :poll
                        """)
                .param("poll", poll.pollId())
                .query(rs -> {
                    UUID id = rs.getObject("id", UUID.class);
                    long count = rs.getLong("count");
                    switch (rs.getString("kind")) {
                        case "c" -> choices.put(id, count);
                        case "q" -> questions.put(id, count);
                        default -> pollVoters[0] = count;
                    }
                });
        for (PollDefinition.Question question : poll.questions()) {
            questions.putIfAbsent(question.questionId(), 0L);
        }
        return new PollCounts(choices, questions, pollVoters[0]);
    }
}
