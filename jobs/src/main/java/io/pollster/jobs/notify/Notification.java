package io.pollster.jobs.notify;

import java.time.Instant;
import java.util.UUID;

/** A notification of a user's inbox, as {@code GET /api/notifications} lists it. */
record Notification(UUID notificationId, UUID pollId, String type, String message, Instant createdAt) {}
