package io.pollster.core.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.CoreTestServers;
import io.pollster.core.redis.RedisKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The consumer loop on a real Redis, on a stream of its own per test. */
class StreamConsumerIT {

    private static final String GROUP = "stream-consumer-it";

    private final StringRedisTemplate redis = CoreTestServers.redis();
    private final StreamConsumers consumers = new StreamConsumers(redis.getConnectionFactory(), "unused");
    private final List<StreamConsumer> started = new ArrayList<>();
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private String stream;

    @BeforeEach
    void freshStream() {
        stream = "test:stream-{" + UUID.randomUUID() + "}";
    }

    @AfterEach
    void stopConsumers() {
        StreamConsumers.stopAll(started, Duration.ofSeconds(5));
        redis.delete(List.of(stream, RedisKeys.deadLetterStream(stream), RedisKeys.streamTries(stream, GROUP)));
    }

    @Test
    void restartedConsumerReadsItsOwnPendingEntriesWithoutWaitingForTheClaimTimeout() {
        createGroup();
        List<RecordId> ids = add(5);
        // "instance-a" read them and died before acknowledging
        assertThat(readAs("instance-a")).hasSize(5);

        // restarted under the same name; the claim timeout (10 min) cannot be what brings them back
        start("instance-a", Duration.ofMinutes(10));

        await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() == 5);
        assertThat(handled)
                .containsExactlyElementsOf(ids.stream().map(RecordId::getValue).toList());
        await().atMost(Duration.ofSeconds(5)).until(() -> pendingCount() == 0);
    }

    @Test
    void deadConsumersEntriesAreReclaimedAndItsNameRemovedOnceNothingIsPending() {
        createGroup();
        add(3);
        assertThat(readAs("dead-instance")).hasSize(3);
        assertThat(consumerNames()).contains("dead-instance");

        start("live-instance", Duration.ofMillis(300));

        await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() == 3);
        await().atMost(Duration.ofSeconds(20)).until(() -> !consumerNames().contains("dead-instance"));
        assertThat(consumerNames()).contains("live-instance");
        assertThat(pendingCount()).isZero();
    }

    @Test
    void missingGroupIsCreatedFromTheStartOfTheStreamAndRecreatedWhenLost() {
        // written before any consumer ran: consumed too
        add(2);
        start("instance-a", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() == 2);

        // the group is lost, the stream kept (an old backup restored, XGROUP DESTROY): what is in the
        // stream is consumed again (handlers are idempotent) and new entries flow
        redis.opsForStream().destroyGroup(stream, GROUP);
        add(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() == 5);

        // the stream itself is gone (FLUSHALL): recreated, and new entries flow
        redis.delete(stream);
        add(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() == 6);
    }

    private void start(String name, Duration claimIdle) {
        StreamConsumer consumer = consumers.create(
                new StreamConsumerSettings(
                        stream,
                        GROUP,
                        name,
                        RedisKeys.deadLetterStream(stream),
                        10,
                        Duration.ofMillis(200),
                        claimIdle,
                        3,
                        Duration.ofMillis(20),
                        Duration.ofMillis(200),
                        1000),
                entries -> entries.forEach(e -> handled.add(e.id())));
        consumer.start();
        started.add(consumer);
    }

    private void createGroup() {
        redis.opsForStream().createGroup(stream, ReadOffset.from("0"), GROUP);
    }

    private List<RecordId> add(int count) {
        List<RecordId> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(redis.opsForStream().add(stream, Map.of("n", Integer.toString(i))));
        }
        return ids;
    }

    private List<?> readAs(String consumer) {
        return redis.opsForStream()
                .read(
                        Consumer.from(GROUP, consumer),
                        StreamReadOptions.empty().count(100),
                        StreamOffset.create(stream, ReadOffset.lastConsumed()));
    }

    private long pendingCount() {
        return redis.opsForStream()
                .pending(stream, GROUP, Range.unbounded(), 100L)
                .size();
    }

    private List<String> consumerNames() {
        return redis.opsForStream().consumers(stream, GROUP).stream()
                .map(c -> c.consumerName())
                .toList();
    }
}
