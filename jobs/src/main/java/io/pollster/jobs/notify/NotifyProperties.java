package io.pollster.jobs.notify;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Notification delivery ({@code pollster.jobs.notify.*}).
 *
 * @param enabled whether this instance consumes {@code notify:stream-*} and sends webhooks
 * @param webhook the optional webhook every notification is also sent to
 */
@ConfigurationProperties("pollster.jobs.notify")
@Validated
record NotifyProperties(@DefaultValue("true") boolean enabled, @DefaultValue @Valid Webhook webhook) {

    /**
     * A webhook: each notification is POSTed as JSON, with header {@code Pollster-Notification-Id} so the
     * receiver can drop the rare duplicate (a process dying between the POST and recording its success).
     *
     * @param url where to POST; no webhook when unset
     * @param maxTries attempts before a notification is dead-lettered
     * @param initialBackoff wait after the first failure, doubled after each further one
     * @param maxBackoff cap of the wait between attempts
     * @param timeout of one attempt (connect and response)
     * @param pollInterval how often due deliveries are looked for
     * @param batchSize deliveries attempted per round, concurrently
     */
    record Webhook(
            URI url,
            @DefaultValue("8") @Min(1) int maxTries,
            @DefaultValue("1s") Duration initialBackoff,
            @DefaultValue("5m") Duration maxBackoff,
            @DefaultValue("5s") Duration timeout,
            @DefaultValue("1s") Duration pollInterval,
            @DefaultValue("50") @Min(1) int batchSize) {

        boolean configured() {
            return url != null;
        }

        /** The wait after failed attempt number {@code attempts} (1-based). */
        Duration backoffAfter(int attempts) {
            Duration wait = initialBackoff;
            for (int i = 1; i < attempts && wait.compareTo(maxBackoff) < 0; i++) {
                wait = wait.multipliedBy(2);
            }
            return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
        }
    }
}
