package io.pollster.core.events;

import java.time.Instant;
import java.util.UUID;

/** A poll closed and may be archived ({@code archival:stream-{N}}). */
public record ArchivalEvent(UUID pollId, String event, Instant closedAt) {

    public static final String POLL_CLOSED = "poll_closed";

    public static ArchivalEvent pollClosed(UUID pollId, Instant closedAt) {
        return new ArchivalEvent(pollId, POLL_CLOSED, closedAt);
    }
}
