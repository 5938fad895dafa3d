package io.pollster.core.redis;

import java.util.UUID;

/**
 * The Redis key schema (docs/design.md), defined once. {@code {…}} are Redis Cluster hash tags: every key of
 * one shard, or of one poll, hashes to one slot, so a Lua script touching them stays valid on a
 * cluster.
 */
public final class RedisKeys {

    private static final String CHOICE_FIELD_PREFIX = "choice:";
    private static final String QUESTION_VOTERS_FIELD_PREFIX = "question:";

    /** The field of {@link #counts(UUID)} holding how many voters voted on the poll. */
    public static final String POLL_VOTERS_FIELD = "voters";

    private RedisKeys() {}

    /** Stream of vote events of the polls in shard {@code shard}. */
    public static String voteStream(int shard) {
        return "poll:votes:stream-{" + shard + "}";
    }

    /**
     * Dead-letter stream of vote entries the ingester gave up on, each with the reason; same shard as
     * {@link #voteStream(int)}.
     */
    public static String voteDeadLetterStream(int shard) {
        return deadLetterStream(voteStream(shard));
    }

    /**
     * The dead-letter stream of a sharded stream ({@code x:stream-{N}} → {@code x:dead-letter-{N}}):
     * entries its consumers gave up on, with {@code source_id}, {@code reason} and {@code tries}. Same hash
     * tag, so one script can move an entry from one to the other.
     */
    public static String deadLetterStream(String stream) {
        int at = stream.lastIndexOf("stream-{");
        if (at < 0) {
            throw new IllegalArgumentException("not a sharded stream: " + stream);
        }
        return stream.substring(0, at) + "dead-letter-" + stream.substring(at + "stream-".length());
    }

    /**
     * Hash of entry id → tries of the entries of {@code stream} that consumer group {@code group} had
     * refused (StreamConsumer's count, not Redis's delivery counter). Same hash tag as the stream.
     */
    public static String streamTries(String stream, String group) {
        return stream + ":tries:" + group;
    }

    /**
     * A user's {@code Idempotency-Key} record (body hash and vote id), short-lived. Hash-tagged to the
     * poll's shard so the vote script covers it.
     */
    public static String voteIdempotency(int shard, UUID userId, String idempotencyKey) {
        return "poll:votes:idempotency:{" + shard + "}:" + userId + ":" + idempotencyKey;
    }

    /** Short-lived marker of a vote accepted into the stream (value: its poll id), until it is recorded. */
    public static String acceptedVote(int shard, UUID voteId) {
        return "poll:votes:accepted:{" + shard + "}:" + voteId;
    }

    /** Set of users who voted on a question; a fast duplicate check, PostgreSQL decides. */
    public static String voters(int shard, UUID questionId) {
        return "poll:voters:{" + shard + "}:" + questionId;
    }

    /**
     * Hash of a poll's counters, projected from the WAL: {@code choice:<choice_id>} → voters who picked the
     * choice, {@code question:<question_id>} → voters who answered the question, {@code voters} → voters of
     * the poll. One hash, so one script merges and reads them together.
     */
    public static String counts(UUID pollId) {
        return "poll:{" + pollId + "}:counts";
    }

    /** Pub/sub channel carrying Results messages of a poll. */
    public static String updates(UUID pollId) {
        return "poll:{" + pollId + "}:updates";
    }

    /**
     * Hash of live-gateway instance id → {@code "<connections>:<expires at>"}: how many connections each
     * gateway has watching the poll, each field with its own expiry in milliseconds of the Redis server's
     * clock (Redis 7.0 has no per-field expiry). Beside the poll's counts in its slot.
     */
    public static String viewers(UUID pollId) {
        return "poll:{" + pollId + "}:viewers";
    }

    /** Cached poll metadata (polls are immutable but for {@code closed_at}). */
    public static String pollMetadata(UUID pollId) {
        return "poll:{" + pollId + "}:meta";
    }

    public static String milestoneStream(int shard) {
        return "milestone:stream-{" + shard + "}";
    }

    /**
     * Hash of the milestones already on {@link #milestoneStream(int)} ({@code <poll_id>:<threshold>}),
     * beside the stream in the same slot so one Lua script appends and marks atomically.
     */
    public static String milestonesPublished(int shard) {
        return "milestone:published:{" + shard + "}";
    }

    public static String notifyStream(int shard) {
        return "notify:stream-{" + shard + "}";
    }

    public static String archivalStream(int shard) {
        return "archival:stream-{" + shard + "}";
    }

    public static String changesStream(int shard) {
        return "changes:stream-{" + shard + "}";
    }

    /**
     * The token bucket of one rate limit ({@code votes-per-ip}, …) for one subject (a user id or a client
     * address), kept by bucket4j. Hash-tagged whole, so each bucket is one key in one slot of a cluster.
     */
    public static String rateLimit(String limit, String subject) {
        return "ratelimit:{" + limit + ":" + subject + "}";
    }

    /** The hash field of a choice in {@link #counts(UUID)}. */
    public static String choiceField(UUID choiceId) {
        return CHOICE_FIELD_PREFIX + choiceId;
    }

    /** Whether a field of {@link #counts(UUID)} is a choice's count. */
    public static boolean isChoiceField(String field) {
        return field.startsWith(CHOICE_FIELD_PREFIX);
    }

    /** The hash field of a question's voters in {@link #counts(UUID)}. */
    public static String questionVotersField(UUID questionId) {
        return QUESTION_VOTERS_FIELD_PREFIX + questionId;
    }

    /** Whether a field of {@link #counts(UUID)} is a question's voters. */
    public static boolean isQuestionVotersField(String field) {
        return field.startsWith(QUESTION_VOTERS_FIELD_PREFIX);
    }

    /** The question id of a {@link #questionVotersField(UUID)}. */
    public static UUID questionOfField(String field) {
        if (!isQuestionVotersField(field)) {
            throw new IllegalArgumentException("not a question field: " + field);
        }
        return UUID.fromString(field.substring(QUESTION_VOTERS_FIELD_PREFIX.length()));
    }

    /** The choice id of a field of {@link #counts(UUID)}. */
    public static UUID choiceOfField(String field) {
        if (!field.startsWith(CHOICE_FIELD_PREFIX)) {
            throw new IllegalArgumentException("not a choice field: " + field);
        }
        return UUID.fromString(field.substring(CHOICE_FIELD_PREFIX.length()));
    }
}
