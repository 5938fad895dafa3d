package io.pollster.api.vote;

import java.util.UUID;

/** Body of the 202 answering an accepted vote. */
record VoteAccepted(UUID voteId, String status) {

    static VoteAccepted of(UUID voteId) {
        return new VoteAccepted(voteId, VoteStatus.State.ACCEPTED.wire());
    }
}
