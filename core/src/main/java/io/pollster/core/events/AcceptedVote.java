package io.pollster.core.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A whole accepted vote, as one entry of {@code poll:votes:stream-{N}} carries it: every chosen
 * (question, choice) of the request, in request order.
 *
 * @param userId the user, or an anonymous voter's id ({@code io.pollster.core.identity.VoterIds})
 * @param ipAddress the client address of an anonymous vote, kept in {@code responses.ip_address}; null
 *     for users' votes and where {@code pollster.votes.store-ip-address} is off
 */
public record AcceptedVote(
        UUID voteId, UUID pollId, UUID userId, Instant submittedAt, String ipAddress, List<Answer> answers) {

    public AcceptedVote {
        answers = List.copyOf(answers);
    }

    /** One chosen choice of one question (a multi-choice question has one per chosen choice). */
    public record Answer(UUID questionId, UUID choiceId) {}

    /** One {@link VoteEvent} per answer: the rows the vote becomes. */
    public List<VoteEvent> events() {
        List<VoteEvent> events = new ArrayList<>(answers.size());
        for (Answer answer : answers) {
            events.add(new VoteEvent(
                    voteId, pollId, answer.questionId(), answer.choiceId(), userId, submittedAt, ipAddress));
        }
        return events;
    }
}
