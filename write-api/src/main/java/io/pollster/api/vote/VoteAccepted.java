package io.pollster.api.vote;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Body of the 202 answering an accepted vote. */
record VoteAccepted(UUID voteId, String status) {

    private static final byte[] PREFIX = "{\"vote_id\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATUS = "\",\"status\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "\"}".getBytes(StandardCharsets.US_ASCII);

    static VoteAccepted of(UUID voteId) {
        return new VoteAccepted(voteId, VoteStatus.State.ACCEPTED.wire());
    }

    /**
     * The JSON the application's mapper writes for this record, without a mapper: on the vote path it is
     * written once per request (VoteAcceptedTest holds it to the mapper's output). Both fields are ASCII
     * with nothing to escape: a UUID and a status word.
     */
    byte[] json() {
        byte[] id = voteId.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] word = status.getBytes(StandardCharsets.US_ASCII);
        byte[] json = new byte[PREFIX.length + id.length + STATUS.length + word.length + SUFFIX.length];
        int at = 0;
        for (byte[] part : new byte[][] {PREFIX, id, STATUS, word, SUFFIX}) {
            System.arraycopy(part, 0, json, at, part.length);
            at += part.length;
        }
        return json;
    }
}
