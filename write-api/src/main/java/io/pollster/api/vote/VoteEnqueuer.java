package io.pollster.api.vote;

import io.pollster.core.events.AcceptedVote;
import io.pollster.core.redis.LuaScripts;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.core.vote.VoteIds;
import io.pollster.core.vote.VoteStreamEntry;
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
 * Puts a validated vote into its shard's stream, as one entry carrying all its answers, through
 * {@code enqueue_vote.lua} (EVALSHA; the script is loaded once), on the shared Lettuce connection so
 * concurrent requests pipeline. The vote id is a time-ordered UUIDv7 ({@link VoteIds}).
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
        UUID voteId = VoteIds.mint(now);
        String acceptedMarker = RedisKeys.acceptedVote(shard, voteId);
        // one voter set per distinct question: a multi-choice question's set is checked and added once
        List<UUID> questions = new ArrayList<>(answers.size());
        List<AcceptedVote.Answer> entryAnswers = new ArrayList<>(answers.size());
        for (VoteRequest.Answer answer : answers) {
            if (!questions.contains(answer.questionId())) {
                questions.add(answer.questionId());
            }
            entryAnswers.add(new AcceptedVote.Answer(answer.questionId(), answer.choiceId()));
        }
        List<String> keys = new ArrayList<>(questions.size() + 3);
        keys.add(RedisKeys.voteStream(shard));
        keys.add(acceptedMarker);
        keys.add(idempotencyKey == null ? acceptedMarker : RedisKeys.voteIdempotency(shard, userId, idempotencyKey));
        for (UUID question : questions) {
            keys.add(RedisKeys.voters(shard, question));
        }
        Object[] args = {
            voteId.toString(),
            pollId.toString(),
            userId.toString(),
            now.toString(),
            idempotencyKey == null ? "" : bodyHash(pollId, answers),
            Long.toString(Math.max(1, properties.idempotencyTtl().toSeconds())),
            Long.toString(Math.max(1, properties.acceptedTtl().toSeconds())),
            VoteStreamEntry.answers(entryAnswers),
            Integer.toString(answers.size()),
            ipAddress == null ? "" : ipAddress
        };
        List<?> reply = redis.execute(ENQUEUE, keys, args);
        String verdict = String.valueOf(reply.get(0));
        String value = String.valueOf(reply.get(1));
        return switch (verdict) {
            case "accepted" -> new Outcome.Accepted(UUID.fromString(value), false);
            case "replay" -> new Outcome.Accepted(UUID.fromString(value), true);
            case "key-reused" -> new Outcome.KeyReused();
            case "already-voted" ->
                new Outcome.AlreadyVoted(
                        questions.get(Integer.parseInt(value) - 1).toString());
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
