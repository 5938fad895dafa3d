package io.pollster.core.results;

import io.pollster.core.identity.VoterIds;
import io.pollster.core.poll.PollDefinition;
import java.util.Optional;
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

    /**
     * The viewer of a request for {@code poll}'s results: its authenticated user, if any, and the voter id
     * its votes on this poll would carry: the user id in a {@code user} poll, in a {@code device} poll the id
     * derived from {@code X-Device-Id}, in an {@code ip} poll the id derived from the client address (as the
     * trusted proxy reported it). Whatever is missing or malformed leaves the voter id unknown.
     *
     * @param deviceHeader the request's {@link VoterIds#DEVICE_HEADER}, or null
     * @param clientAddress the client address ({@code getRemoteAddr()} after forwarded headers), or null
     */
    public static ResultsViewer of(
            PollDefinition poll, Optional<UUID> user, String deviceHeader, String clientAddress, VoterIds voterIds) {
        UUID voterId = voterIds.voterOf(poll.voters(), user, deviceHeader, clientAddress)
                .orElse(null);
        return new ResultsViewer(user.orElse(null), voterId);
    }
}
