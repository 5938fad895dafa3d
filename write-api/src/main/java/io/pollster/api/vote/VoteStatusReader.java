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
 * marker of accepted votes still on their way through the stream, which also says how many answers
 * the vote has, so a vote half-way into PostgreSQL still reads {@code accepted}.
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
        long recorded = jdbc.sql("SELECT count(*) FROM responses WHERE vote_id = ? AND poll_id = ?")
                .params(voteId, pollId)
                .query(Long.class)
                .single();
        Optional<Marker> marker = Marker.parse(
                        redis.opsForValue().get(RedisKeys.acceptedVote(shards.of(pollId), voteId)))
                .filter(m -> m.pollId().equals(pollId.toString()));
        // the answers of one vote can be split across two ingest batches: recorded once all are in;
        // without the marker (expired, or Redis lost) any recorded answer is the best PostgreSQL knows
        if (marker.isPresent() ? recorded >= marker.get().answers() : recorded > 0) {
            return Optional.of(VoteStatus.of(voteId, VoteStatus.State.RECORDED, null));
        }
        if (marker.isPresent()) {
            return Optional.of(VoteStatus.of(voteId, VoteStatus.State.ACCEPTED, null));
        }
        return Optional.empty();
    }

    /** The accepted marker {@code enqueue_vote.lua} leaves: {@code <poll_id> <number of answers>}. */
    record Marker(String pollId, long answers) {

        static Optional<Marker> parse(String value) {
            if (value == null) {
                return Optional.empty();
            }
            int space = value.indexOf(' ');
            if (space < 0) {
                // written before answer counts were recorded: one answer in PostgreSQL says recorded
                return Optional.of(new Marker(value, 1));
            }
            try {
                return Optional.of(new Marker(value.substring(0, space), Long.parseLong(value.substring(space + 1))));
            } catch (NumberFormatException unreadable) {
                return Optional.empty();
            }
        }
    }
}
