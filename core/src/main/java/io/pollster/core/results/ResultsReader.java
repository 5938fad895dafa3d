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
 * The read path of results (docs/design.md): counts from Redis; on a miss, or a hash lacking some choice
 * (Redis lost and partly refilled), from {@code choice_counts} in PostgreSQL, written back with
 * keep-the-greater so a rebuild never overwrites a newer count. With Redis unreachable, results come
 * straight from PostgreSQL.
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
        return ResultsAssembler.assemble(poll, currentCounts(poll), poll.isClosedAt(clock.instant()));
    }

    /** The counts of every choice of the poll, rebuilding Redis from PostgreSQL when it lacks any. */
    public Map<UUID, Long> currentCounts(PollDefinition poll) {
        Map<UUID, Long> cached;
        try {
            cached = counts.read(poll.pollId());
        } catch (DataAccessException redisDown) {
            log.warn("Redis unreachable, reading counts of poll {} from PostgreSQL", poll.pollId(), redisDown);
            return fromPostgres(poll.pollId());
        }
        if (ResultsAssembler.coversEveryChoice(poll, cached)) {
            return cached;
        }
        Map<UUID, Long> truth = fromPostgres(poll.pollId());
        try {
            return counts.keepGreater(poll.pollId(), truth);
        } catch (DataAccessException redisDown) {
            return truth;
        }
    }

    private Map<UUID, Long> fromPostgres(UUID pollId) {
        Map<UUID, Long> truth = new HashMap<>();
        jdbc.sql("SELECT choice_id, count FROM choice_counts WHERE poll_id = ?")
                .param(pollId)
                .query(rs -> {
                    truth.put(rs.getObject("choice_id", UUID.class), rs.getLong("count"));
                });
        return truth;
    }
}
