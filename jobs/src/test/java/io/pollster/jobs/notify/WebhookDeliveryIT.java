package io.pollster.jobs.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.redis.RedisKeys;
import io.pollster.jobs.JobsIntegrationTestSupport;
import io.pollster.jobs.WebhookReceiver.Attempt;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Webhook delivery: retried with backoff, dead-lettered after max-tries, never in anyone's way. */
class WebhookDeliveryIT extends JobsIntegrationTestSupport {

    private static final int MAX_TRIES = 4; // src/test/resources/application.properties

    @Test
    void failingWebhookIsRetriedThenDeadLetteredWithoutBlockingOtherNotifications() {
        UUID unlucky = UUID.randomUUID();
        WEBHOOK.failFor(unlucky);
        TestPoll failing = createPoll(unlucky, null, 1, 2);
        TestPoll fine = createPoll(UUID.randomUUID(), null, 1, 2);

        xadd(
                RedisKeys.milestoneStream(failing.shard(shards)),
                MilestoneNotificationIT.milestone(failing.pollId(), 100));
        xadd(RedisKeys.milestoneStream(fine.shard(shards)), MilestoneNotificationIT.milestone(fine.pollId(), 1000));

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(delivery(failing.creatorId())).containsEntry("status", "dead"));
        Map<String, Object> dead = delivery(failing.creatorId());
        assertThat(dead).containsEntry("attempts", MAX_TRIES);
        assertThat((String) dead.get("last_error")).contains("500");
        List<Attempt> failedAttempts = WEBHOOK.attemptsFor(unlucky);
        assertThat(failedAttempts).hasSize(MAX_TRIES).allSatisfy(a -> assertThat(a.status())
                .isEqualTo(500));
        assertThat(Duration.between(
                        failedAttempts.get(0).at(),
                        failedAttempts.get(MAX_TRIES - 1).at()))
                .as("backoff 200 ms, 400 ms, 800 ms between the attempts")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1400));

        assertThat(delivery(fine.creatorId()))
                .containsEntry("status", "delivered")
                .containsEntry("attempts", 1);
        List<Attempt> delivered = WEBHOOK.attemptsFor(fine.creatorId());
        assertThat(delivered).singleElement().satisfies(a -> {
            assertThat(a.status()).isEqualTo(204);
            assertThat(a.headerId()).isEqualTo(a.notificationId().toString());
            assertThat(a.at())
                    .as("delivered while the other was still retrying")
                    .isBefore(failedAttempts.get(MAX_TRIES - 1).at());
        });
        // the inbox does not depend on the webhook
        assertThat(inboxCount(failing.creatorId())).isEqualTo(1);
        assertThat(inboxCount(fine.creatorId())).isEqualTo(1);
    }

    private Map<String, Object> delivery(UUID recipient) {
        return jdbc
                .sql(
                        """
                        SELECT d.status, d.attempts, d.last_error FROM webhook_deliveries d
                        JOIN notifications n ON n.notification_id = d.notification_id
                        WHERE n.recipient_id = ?
                        """)
                .param(recipient)
                .query()
                .listOfRows()
                .stream()
                .findFirst()
                .orElse(Map.of());
    }

    private long inboxCount(UUID recipient) {
        return jdbc.sql("SELECT count(*) FROM notifications WHERE recipient_id = ?")
                .param(recipient)
                .query(Long.class)
                .single();
    }
}
