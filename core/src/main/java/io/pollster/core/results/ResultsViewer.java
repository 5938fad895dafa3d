package io.pollster.core.results;

import java.util.UUID;

/**
 * Who asks for a poll's results, as {@link ResultsAccess} needs to know: the authenticated user, if any
 * (the creator always sees counts), and the viewer's voter id in this poll, if known (the user id in a
 * {@code user} poll; in a {@code device} or {@code ip} poll the id derived from the device id or address).
 *
 * @param userId the authenticated user, or null
 * @param voterId the id the viewer's votes on this poll carry, or null when unknown
 */
public record ResultsViewer(UUID userId, UUID voterId) {

    private static final ResultsViewer ANONYMOUS = new ResultsViewer(null, null);

    /** A viewer Pollster knows nothing about. */
    public static ResultsViewer anonymous() {
        return ANONYMOUS;
    }

    /** An authenticated user whose votes carry their user id (a {@code user} poll). */
    public static ResultsViewer user(UUID userId) {
        return new ResultsViewer(userId, userId);
    }
}
