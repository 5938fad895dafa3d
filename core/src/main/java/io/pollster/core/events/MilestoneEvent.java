package io.pollster.core.events;

import java.util.UUID;

/** A poll's total crossed a threshold ({@code milestone:stream-{N}}). */
public record MilestoneEvent(UUID pollId, long totalVotes) {}
