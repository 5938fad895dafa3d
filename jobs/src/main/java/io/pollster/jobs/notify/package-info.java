/**
 * Delivery of notifications: the inbox table behind {@code GET /api/notifications}, and an optional
 * webhook fed from an outbox with retries, backoff and a dead-letter state.
 */
package io.pollster.jobs.notify;
