package io.pollster.jobs.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.core.json.PollsterJson;
import io.pollster.jobs.runtime.PeriodicJob;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Sends due webhook deliveries. Each round leases a batch (pushing its next attempt past the lease, so
 * other instances skip it and a dead instance's lease simply expires), POSTs them concurrently, and
 * records each outcome: delivered, retry after backoff, or dead-lettered after {@code maxTries}. A
 * failing receiver delays only its own notifications.
 */
@Component
class WebhookDispatcher implements PeriodicJob {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    static final String NOTIFICATION_ID_HEADER = "Pollster-Notification-Id";

    private final JdbcClient jdbc;
    private final NotifyProperties properties;
    private final NotifyProperties.Webhook webhook;
    private final HttpClient http;
    private final Counter sent;
    private final Counter failed;
    private final Counter deadLettered;

    WebhookDispatcher(JdbcClient jdbc, NotifyProperties properties, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.webhook = properties.webhook();
        this.http = HttpClient.newBuilder().connectTimeout(webhook.timeout()).build();
        this.sent = Counter.builder("pollster.jobs.webhook.sent").register(meters);
        this.failed = Counter.builder("pollster.jobs.webhook.failed")
                .description("Failed webhook attempts, retried or dead-lettered")
                .register(meters);
        this.deadLettered = Counter.builder("pollster.jobs.webhook.dead_lettered")
                .description("Notifications given up on after max-tries webhook attempts")
                .register(meters);
    }

    @Override
    public String name() {
        return "webhook-dispatch";
    }

    @Override
    public boolean enabled() {
        return properties.enabled() && webhook.configured();
    }

    @Override
    public Duration interval() {
        return webhook.pollInterval();
    }

    @Override
    public void runOnce() {
        List<Due> due = lease();
        List<CompletableFuture<Void>> attempts = due.stream().map(this::attempt).toList();
        CompletableFuture.allOf(attempts.toArray(CompletableFuture[]::new)).join();
    }

    private List<Due> lease() {
        // the lease outlives any attempt, so an attempt in flight is never leased twice
        double leaseSeconds = webhook.timeout().multipliedBy(2).plusSeconds(30).toMillis() / 1000.0;
        return jdbc.sql(
                        """
                        UPDATE webhook_deliveries d
                        SET attempts = d.attempts + 1,
                            next_attempt_at = now() + make_interval(secs => ?),
                            updated_at = now()
                        FROM notifications n
                        WHERE n.notification_id = d.notification_id
                          AND d.notification_id IN (
                              SELECT notification_id FROM webhook_deliveries
                              WHERE status = 'pending' AND next_attempt_at <= now()
                              ORDER BY next_attempt_at LIMIT ?
                              FOR UPDATE SKIP LOCKED)
                        RETURNING d.notification_id, d.url, d.attempts,
                                  n.poll_id, n.recipient_id, n.type, n.message, n.created_at
                        """)
                .params(leaseSeconds, webhook.batchSize())
                .query((rs, n) -> new Due(
                        URI.create(rs.getString("url")),
                        rs.getInt("attempts"),
                        new WebhookPayload(
                                rs.getObject("notification_id", UUID.class),
                                rs.getObject("poll_id", UUID.class),
                                rs.getString("type"),
                                rs.getObject("recipient_id", UUID.class),
                                rs.getString("message"),
                                rs.getObject("created_at", OffsetDateTime.class).toInstant())))
                .list();
    }

    private CompletableFuture<Void> attempt(Due due) {
        HttpRequest request = HttpRequest.newBuilder(due.url())
                .timeout(webhook.timeout())
                .header("Content-Type", "application/json")
                .header(NOTIFICATION_ID_HEADER, due.payload().notificationId().toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(
                        PollsterJson.mapper().writeValueAsBytes(due.payload())))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, error) -> {
            if (error == null && response.statusCode() / 100 == 2) {
                succeeded(due);
            } else {
                failed(due, error != null ? String.valueOf(error) : "HTTP " + response.statusCode());
            }
            return null;
        });
    }

    private void succeeded(Due due) {
        jdbc.sql(
                        """
                        UPDATE webhook_deliveries SET status = 'delivered', last_error = NULL, updated_at = now()
                        WHERE notification_id = ? AND attempts = ? AND status = 'pending'
                        """)
                .params(due.payload().notificationId(), due.attempts())
                .update();
        sent.increment();
    }

    private void failed(Due due, String error) {
        failed.increment();
        if (due.attempts() >= webhook.maxTries()) {
            jdbc.sql(
                            """
                            UPDATE webhook_deliveries SET status = 'dead', last_error = ?, updated_at = now()
                            WHERE notification_id = ? AND attempts = ? AND status = 'pending'
                            """)
                    .params(error, due.payload().notificationId(), due.attempts())
                    .update();
            deadLettered.increment();
            log.error(
                    "Webhook gave up on notification {} after {} attempts: {}",
                    due.payload().notificationId(),
                    due.attempts(),
                    error);
            return;
        }
        Duration backoff = webhook.backoffAfter(due.attempts());
        jdbc.sql(
                        """
                        UPDATE webhook_deliveries
                        SET next_attempt_at = now() + make_interval(secs => ?), last_error = ?, updated_at = now()
                        WHERE notification_id = ? AND attempts = ? AND status = 'pending'
                        """)
                .params(backoff.toMillis() / 1000.0, error, due.payload().notificationId(), due.attempts())
                .update();
        log.warn(
                "Webhook attempt {} of notification {} failed ({}), retrying in {}",
                due.attempts(),
                due.payload().notificationId(),
                error,
                backoff);
    }

    private record Due(URI url, int attempts, WebhookPayload payload) {}

    /** The JSON a webhook receives. */
    record WebhookPayload(
            UUID notificationId, UUID pollId, String type, UUID recipientId, String message, Instant createdAt) {}
}
