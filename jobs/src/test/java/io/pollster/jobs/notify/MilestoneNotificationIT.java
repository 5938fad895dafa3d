package io.pollster.jobs.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.events.NotifyEvent;
import io.pollster.core.redis.RedisKeys;
import io.pollster.jobs.JobsIntegrationTestSupport;
import io.pollster.jobs.runtime.ShardedStreamWorker;
import io.pollster.jobs.runtime.StreamEvents;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;

/** Milestone entries, as the projector adds them, become exactly one notification per threshold. */
class MilestoneNotificationIT extends JobsIntegrationTestSupport {

    private static final String MILESTONES = "jobs-milestones";

    @Autowired
    private NotificationDeliverer deliverer;

    @Test
    void pollCrossing100VotesGivesItsCreatorOneNotificationDespiteReplays() {
        TestPoll poll = createPoll(UUID.randomUUID(), null, 1, 2);
        String milestones = RedisKeys.milestoneStream(poll.shard(shards));

        // the projector's entry, a replay of it, and a later total still under the next threshold
        xadd(milestones, milestone(poll.pollId(), 100));
        xadd(milestones, milestone(poll.pollId(), 100));
        xadd(milestones, milestone(poll.pollId(), 117));

        awaitDrained(milestones, MILESTONES);
        awaitDrained(RedisKeys.notifyStream(poll.shard(shards)), NotificationDeliverer.GROUP);
        assertThat(inboxOf(poll.creatorId())).containsExactly("Your poll just hit 100 votes!");
    }

    @Test
    void eachThresholdIsItsOwnNotificationWithThousandsSeparators() {
        TestPoll poll = createPoll(UUID.randomUUID(), null, 1, 2);
        String milestones = RedisKeys.milestoneStream(poll.shard(shards));

        xadd(milestones, milestone(poll.pollId(), 100));
        xadd(milestones, milestone(poll.pollId(), 10_250));
        xadd(milestones, milestone(poll.pollId(), 99)); // below every threshold: nothing

        awaitDrained(milestones, MILESTONES);
        awaitDrained(RedisKeys.notifyStream(poll.shard(shards)), NotificationDeliverer.GROUP);
        assertThat(inboxOf(poll.creatorId()))
                .containsExactlyInAnyOrder("Your poll just hit 100 votes!", "Your poll just hit 10,000 votes!");
    }

    /**
     * A jobs instance reads the milestone, publishes the notification, reads that too, stores it in the
     * inbox, and is killed before acknowledging either entry. Restarted consumers reclaim both entries,
     * replay both steps, and the creator still has one notification.
     */
    @Test
    void jobsKilledBetweenEffectAndAckStillGivesOneNotification() {
        TestPoll poll = createPoll(UUID.randomUUID(), null, 1, 2);
        String milestones = RedisKeys.milestoneStream(poll.shard(shards));
        String notifications = RedisKeys.notifyStream(poll.shard(shards));
        ShardedStreamWorker milestoneWorker = worker(MILESTONES);
        milestoneWorker.stop();
        deliverer.stop();
        try {
            xadd(milestones, milestone(poll.pollId(), 100));
            Consumer killed = Consumer.from(MILESTONES, "jobs-killed-" + UUID.randomUUID());
            List<MapRecord<String, Object, Object>> read = readAsKilled(killed, milestones);
            assertThat(read).anySatisfy(r -> assertThat(r.getValue())
                    .containsEntry("poll_id", poll.pollId().toString()));
            // its effect: the notification published (exactly as MilestoneNotifier publishes it)
            xadd(
                    notifications,
                    StreamEvents.write(new NotifyEvent(
                            poll.pollId(), "milestone", poll.creatorId(), "Your poll just hit 100 votes!")));
            Consumer killedDeliverer = Consumer.from(NotificationDeliverer.GROUP, killed.getName());
            for (MapRecord<String, Object, Object> entry : readAsKilled(killedDeliverer, notifications)) {
                Map<String, String> fields = new HashMap<>();
                entry.getValue().forEach((k, v) -> fields.put((String) k, (String) v));
                deliverer.handle(fields); // the durable effect, then the process dies: no XACK
            }
            assertThat(inboxOf(poll.creatorId())).hasSize(1);
            assertThat(redis.opsForStream().pending(milestones, MILESTONES).getTotalPendingMessages())
                    .isPositive();
        } finally {
            milestoneWorker.start();
            deliverer.start();
        }

        awaitDrained(milestones, MILESTONES);
        awaitDrained(notifications, NotificationDeliverer.GROUP);
        assertThat(inboxOf(poll.creatorId())).containsExactly("Your poll just hit 100 votes!");
        assertThat(publishedNotifyEntriesOf(notifications, poll.pollId()))
                .as("the replayed milestone published the notification a second time")
                .isEqualTo(2);
    }

    @Test
    void lostConsumerGroupIsRecreatedAndTheMilestoneStillInTheStreamNotified() {
        TestPoll poll = createPoll(UUID.randomUUID(), null, 1, 2);
        String milestones = RedisKeys.milestoneStream(poll.shard(shards));
        ShardedStreamWorker milestoneWorker = worker(MILESTONES);
        milestoneWorker.stop();
        try {
            xadd(milestones, milestone(poll.pollId(), 1000));
            // the group is lost, the entry kept (an old backup restored, an operator's XGROUP DESTROY)
            redis.opsForStream().destroyGroup(milestones, MILESTONES);
        } finally {
            milestoneWorker.start();
        }

        awaitDrained(milestones, MILESTONES);
        awaitDrained(RedisKeys.notifyStream(poll.shard(shards)), NotificationDeliverer.GROUP);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> inboxOf(poll.creatorId()).contains("Your poll just hit 1,000 votes!"));
        assertThat(inboxOf(poll.creatorId())).containsExactly("Your poll just hit 1,000 votes!");
    }

    private List<MapRecord<String, Object, Object>> readAsKilled(Consumer consumer, String stream) {
        List<MapRecord<String, Object, Object>> read = redis.opsForStream()
                .read(
                        consumer,
                        StreamReadOptions.empty().count(100),
                        StreamOffset.create(stream, ReadOffset.lastConsumed()));
        return read == null ? List.of() : read;
    }

    private long publishedNotifyEntriesOf(String stream, UUID pollId) {
        return redis.opsForStream().range(stream, Range.unbounded()).stream()
                .filter(r -> pollId.toString().equals(r.getValue().get("poll_id")))
                .count();
    }

    private List<String> inboxOf(UUID recipient) {
        return jdbc.sql("SELECT message FROM notifications WHERE recipient_id = ? ORDER BY created_at")
                .param(recipient)
                .query(String.class)
                .list();
    }

    static Map<String, String> milestone(UUID pollId, long totalVotes) {
        return Map.of("poll_id", pollId.toString(), "total_votes", Long.toString(totalVotes));
    }
}
