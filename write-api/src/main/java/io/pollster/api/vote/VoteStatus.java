package io.pollster.api.vote;

import java.util.UUID;

/** Body of {@code GET /api/polls/{poll_id}/votes/{vote_id}}; {@code reason} only for a rejected vote. */
record VoteStatus(UUID voteId, String status, String reason) {

    static VoteStatus of(UUID voteId, State state, String reason) {
        return new VoteStatus(voteId, state.wire(), reason);
    }

    enum State {
        /** In the stream, not yet in PostgreSQL. */
        ACCEPTED,
        /** Durable in PostgreSQL. */
        RECORDED,
        /** Refused by the ingester (PostgreSQL's UNIQUE constraint, or given up on). */
        REJECTED;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
