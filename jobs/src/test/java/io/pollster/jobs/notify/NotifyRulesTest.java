package io.pollster.jobs.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.events.NotifyEvent;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class NotifyRulesTest {

    @Test
    void backoffDoublesFromTheInitialWaitUpToTheCap() {
        NotifyProperties.Webhook webhook = new NotifyProperties.Webhook(
                URI.create("http://localhost/hook"),
                8,
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                Duration.ofSeconds(1),
                50);

        assertThat(webhook.backoffAfter(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(webhook.backoffAfter(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(webhook.backoffAfter(4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(webhook.backoffAfter(5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(webhook.backoffAfter(60)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theSameNotificationAlwaysGetsTheSameIdAndAnotherThresholdAnother() {
        UUID poll = UUID.randomUUID();
        UUID creator = UUID.randomUUID();
        NotifyEvent hundred = new NotifyEvent(poll, "milestone", creator, "Your poll just hit 100 votes!");
        NotifyEvent thousand = new NotifyEvent(poll, "milestone", creator, "Your poll just hit 1,000 votes!");

        assertThat(NotificationIds.of(hundred))
                .isEqualTo(NotificationIds.of(
                        new NotifyEvent(poll, "milestone", creator, "Your poll just hit 100 votes!")))
                .isNotEqualTo(NotificationIds.of(thousand));
    }
}
