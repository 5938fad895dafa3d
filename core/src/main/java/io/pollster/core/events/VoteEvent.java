package io.pollster.core.events;

import java.time.Instant;
import java.util.UUID;

/**
 * One answer of an accepted vote: one {@code responses} row. The vote stream carries a whole vote per
 * entry ({@link AcceptedVote}); entries written before that carried one answer each, in this shape.
 *
 * @param userId the user, or an anonymous voter's id ({@code io.pollster.core.identity.VoterIds})
 * @param ipAddress the client address of an anonymous vote, kept in {@code responses.ip_address}; null
 *     for users' votes and where {@code pollster.votes.store-ip-address} is off
 */
public record VoteEvent(
        UUID voteId, UUID pollId, UUID questionId, UUID choiceId, UUID userId, Instant submittedAt, String ipAddress) {

    /** An answer without a client address (a user's vote). */
    public VoteEvent(UUID voteId, UUID pollId, UUID questionId, UUID choiceId, UUID userId, Instant submittedAt) {
        this(voteId, pollId, questionId, choiceId, userId, submittedAt, null);
    }
}
