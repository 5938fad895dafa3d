package io.pollster.core.results;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.ResultsVisibility;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The one rule of docs/api.md for "may this viewer see the counts of this poll now?", applied by every place
 * that shows counts (REST, CSV, live messages); none of them re-implements it.
 *
 * <ul>
 *   <li>{@code always}: everyone.
 *   <li>The creator: always.
 *   <li>A closed poll (by its creator or past {@code closes_at}): everyone, whatever the setting, as the
 *       closing live message carries the full counts to every viewer.
 *   <li>{@code after_close}: nobody else while open.
 *   <li>{@code after_vote}: a viewer whose vote was accepted, that is whose voter id is in the Redis voter
 *       set of any question of the poll (the vote script adds it when it accepts the vote), or, when Redis
 *       lost it or cannot be reached, who has a response in PostgreSQL.
 * </ul>
 *
 * <p>Cost: nothing for {@code always} polls and for viewers without a voter id; for an {@code after_vote}
 * poll, one SISMEMBER per question until one answers yes, and for a viewer who has not voted one indexed
 * PostgreSQL lookup ({@code responses (question_id, user_id)}).
 */
public class ResultsAccess {

    private static final Logger log = LoggerFactory.getLogger(ResultsAccess.class);

    private final StringRedisTemplate redis;
    private final Shards shards;
    private final JdbcClient jdbc;
    private final Clock clock;

    public ResultsAccess(StringRedisTemplate redis, Shards shards, JdbcClient jdbc, Clock clock) {
        this.redis = redis;
        this.shards = shards;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Whether {@code viewer} may see the counts of {@code poll} now. */
    public boolean maySee(PollDefinition poll, ResultsViewer viewer) {
        if (poll.resultsVisibility() == ResultsVisibility.ALWAYS) {
            return true;
        }
        if (viewer.userId() != null && viewer.userId().equals(poll.creatorId())) {
            return true;
        }
        if (poll.isClosedAt(clock.instant())) {
            return true;
        }
        return switch (poll.resultsVisibility()) {
            case ALWAYS -> true;
            case AFTER_CLOSE -> false;
            case AFTER_VOTE -> viewer.voterId() != null && hasVoted(poll, viewer.voterId());
        };
    }

    /**
     * Whether a vote of {@code voterId} on any question of the poll was accepted: Redis's voter sets first,
     * then PostgreSQL, which has every recorded vote even after Redis lost its sets.
     */
    public boolean hasVoted(PollDefinition poll, UUID voterId) {
        int shard = shards.of(poll.pollId());
        String member = voterId.toString();
        try {
            for (PollDefinition.Question question : poll.questions()) {
                if (Boolean.TRUE.equals(
                        redis.opsForSet().isMember(RedisKeys.voters(shard, question.questionId()), member))) {
                    return true;
                }
            }
        } catch (DataAccessException redisDown) {
            log.warn("Redis unreachable, checking the votes of poll {} in PostgreSQL", poll.pollId(), redisDown);
        }
        return jdbc.sql(
                        """
                        SELECT EXISTS (SELECT 1 FROM responses
                                       WHERE question_id IN (SELECT question_id FROM questions WHERE poll_id = ?)
                                         AND user_id = ?)
                        """)
                .params(poll.pollId(), voterId)
                .query(Boolean.class)
                .single();
    }
}
