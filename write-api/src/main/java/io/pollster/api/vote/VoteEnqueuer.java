package io.pollster.api.vote;

import io.pollster.core.redis.LuaScripts;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Puts a validated vote into its shard's stream through {@code enqueue_vote.lua} (EVALSHA; the
 * script is loaded once), on the shared Lettuce connection so concurrent requests pipeline.
 */
@Component
class VoteEnqueuer {

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> ENQUEUE = LuaScripts.of(VoteEnqueuer.class, "enqueue_vote.lua", List.class);

    private final StringRedisTemplate redis;
    private final Shards shards;
    private final VotesProperties properties;

    VoteEnqueuer(StringRedisTemplate redis, Shards shards, VotesProperties properties) {
        this.redis = redis;
        this.shards = shards;
        this.properties = properties;
    }

    /**
     * @param userId the user, or the anonymous voter's id
     * @param ipAddress the client address to keep with an anonymous vote's responses, or null
     */
    Outcome enqueue(
            UUID pollId,
            UUID userId,
            List<VoteRequest.Answer> answers,
            String idempotencyKey,
            Instant now,
            String ipAddress) {
        int shard = shards.of(pollId);
        UUID voteId = UUID.randomUUID();
        String acceptedMarker = RedisKeys.acceptedVote(shard, voteId);
        List<String> keys = new ArrayList<>(answers.size() + 3);
        keys.add(RedisKeys.voteStream(shard));
        keys.add(acceptedMarker);
        keys.add(idempotencyKey == null ? acceptedMarker : RedisKeys.voteIdempotency(shard, userId, idempotencyKey));
        List<String> args = new ArrayList<>(answers.size() * 2 + 8);
        args.add(voteId.toString());
        args.add(pollId.toString());
        args.add(userId.toString());
        args.add(now.toString());
        args.add(idempotencyKey == null ? "" : bodyHash(pollId, answers));
        args.add(Long.toString(Math.max(1, properties.idempotencyTtl().toSeconds())));
        args.add(Long.toString(Math.max(1, properties.acceptedTtl().toSeconds())));
        for (VoteRequest.Answer answer : answers) {
            keys.add(RedisKeys.voters(shard, answer.questionId()));
            args.add(answer.questionId().toString());
            args.add(answer.choiceId().toString());
        }
        args.add(ipAddress == null ? "" : ipAddress);
        List<?> reply = redis.execute(ENQUEUE, keys, args.toArray());
        String verdict = String.valueOf(reply.get(0));
        String value = String.valueOf(reply.get(1));
        return switch (verdict) {
            case "accepted" -> new Outcome.Accepted(UUID.fromString(value), false);
            case "replay" -> new Outcome.Accepted(UUID.fromString(value), true);
            case "key-reused" -> new Outcome.KeyReused();
            case "already-voted" -> new Outcome.AlreadyVoted(value);
            default -> throw new IllegalStateException("unexpected reply of the vote script: " + reply);
        };
    }

    /** What identifies "the same body" for an Idempotency-Key: the poll and the answers, in order. */
    private static String bodyHash(UUID pollId, List<VoteRequest.Answer> answers) {
        StringBuilder canonical = new StringBuilder(pollId.toString());
        for (VoteRequest.Answer answer : answers) {
            canonical.append('|').append(answer.questionId()).append('=').append(answer.choiceId());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    sealed interface Outcome {
        /** Accepted now, or earlier under the same Idempotency-Key and body ({@code replay}). */
        record Accepted(UUID voteId, boolean replay) implements Outcome {}

        record AlreadyVoted(String questionId) implements Outcome {}

        /** The Idempotency-Key was first used with another body. */
        record KeyReused() implements Outcome {}
    }
}
