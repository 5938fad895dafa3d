package io.pollster.core.events;

import java.util.UUID;

/** A notification to deliver ({@code notify:stream-{N}}). */
public record NotifyEvent(UUID pollId, String type, UUID recipientId, String message) {}
