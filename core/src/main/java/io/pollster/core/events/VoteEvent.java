package io.pollster.core.events;

import java.time.Instant;
import java.util.UUID;

/** One answer of an accepted vote, as it travels through {@code poll:votes:stream-{N}}. */
public record VoteEvent(UUID voteId, UUID pollId, UUID questionId, UUID choiceId, UUID userId, Instant submittedAt) {}
