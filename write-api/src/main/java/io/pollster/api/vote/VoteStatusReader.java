package io.pollster.api.vote;

import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Where a vote is: PostgreSQL first (rejected, recorded: both durable), then Redis's short-lived
 * marker of accepted votes still on their way through the stream.
 */
@Component
class VoteStatusReader {

    private final JdbcClient jdbc;
    private final StringRedisTemplate redis;
    private final Shards shards;

    VoteStatusReader(JdbcClient jdbc, StringRedisTemplate redis, Shards shards) {
        this.jdbc = jdbc;
        this.redis = redis;
        this.shards = shards;
    }

    Optional<VoteStatus> read(UUID pollId, UUID voteId) {
        Optional<String> rejection = jdbc.sql(
                        """
                        SELECT reason FROM vote_rejections WHERE vote_id = ? AND poll_id = ?
                        ORDER BY question_id LIMIT 1
                        """)
                .params(voteId, pollId)
                .query(String.class)
                .optional();
        if (rejection.isPresent()) {
            return Optional.of(VoteStatus.of(voteId, VoteStatus.State.REJECTED, rejection.get()));
        }
        boolean recorded = jdbc.sql("SELECT EXISTS (SELECT 1 FROM responses WHERE vote_id = ? AND poll_id = ?)")
                .params(voteId, pollId)
                .query(Boolean.class)
                .single();
        if (recorded) {
            return Optional.of(VoteStatus.of(voteId, VoteStatus.State.RECORDED, null));
        }
        String markedPoll = redis.opsForValue().get(RedisKeys.acceptedVote(shards.of(pollId), voteId));
        if (pollId.toString().equals(markedPoll)) {
            return Optional.of(VoteStatus.of(voteId, VoteStatus.State.ACCEPTED, null));
        }
        return Optional.empty();
    }
}
