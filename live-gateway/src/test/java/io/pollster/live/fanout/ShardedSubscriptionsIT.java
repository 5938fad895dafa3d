package io.pollster.live.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.pollster.core.redis.LettuceConnections;
import io.pollster.core.redis.RedisKeys;
import io.pollster.testing.RedisCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The gateway's sharded subscriptions on a real three-master Redis Cluster: each poll's channel is
 * subscribed on the master owning its slot and nowhere else, and after that master is killed with
 * SIGKILL and restarted every channel it owns receives messages again, however many slots they span
 * (Lettuce's own resubscription sends them in one refused CROSSSLOT command).
 */
class ShardedSubscriptionsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static RedisCluster cluster;
    private static LettuceConnectionFactory redis;
    private static ScheduledExecutorService retries;

    private final Map<String, Set<String>> received = new ConcurrentHashMap<>();
    private final Map<String, Integer> acknowledged = new ConcurrentHashMap<>();

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start();
        redis = new LettuceConnectionFactory(
                new RedisClusterConfiguration(List.of(cluster.nodesProperty().split(","))),
                LettuceClientConfiguration.builder()
                        .commandTimeout(Duration.ofSeconds(5))
                        .build());
        redis.afterPropertiesSet();
        redis.start();
        retries = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopCluster() {
        retries.shutdownNow();
        redis.destroy();
        cluster.close();
    }

    @Test
    void everyChannelLivesOnItsMasterAndComesBackAfterTheMasterIsKilled() {
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            channels.add(RedisKeys.updates(UUID.randomUUID()));
        }
        RedisCluster.Node victim = cluster.masterOf(channels.get(0));
        List<String> onVictim = channels.stream()
                .filter(channel -> cluster.masterOf(channel) == victim)
                .toList();
        assertThat(onVictim.stream().map(channel -> SlotHash.getSlot(channel)).collect(Collectors.toSet()))
                .as("the killed master owns channels of several slots")
                .hasSizeGreaterThan(1);

        try (ShardedSubscriptions subscriptions = new ShardedSubscriptions(redis, new Recorder(), retries);
                LettuceConnections.Strings publisher = LettuceConnections.connect(redis)) {
            channels.forEach(subscriptions::subscribe);
            await().atMost(WAIT).until(() -> acknowledged.keySet().containsAll(channels));
            for (String channel : channels) {
                for (RedisCluster.Node node : cluster.nodes()) {
                    long here = node.run(commands -> commands.pubsubShardNumsub(channel))
                            .getOrDefault(channel, 0L);
                    assertThat(here)
                            .as("subscribers of %s on the node on port %d", channel, node.port())
                            .isEqualTo(cluster.masterOf(channel) == node ? 1 : 0);
                }
            }
            channels.forEach(channel -> publisher.sync().spublish(channel, "before"));
            await().atMost(WAIT)
                    .untilAsserted(() -> channels.forEach(channel ->
                            assertThat(received.get(channel)).as(channel).contains("before")));

            victim.kill();
            victim.restart();
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                for (String channel : channels) {
                    if (!received.getOrDefault(channel, Set.of()).contains("after")) {
                        publisher.sync().spublish(channel, "after");
                    }
                }
                channels.forEach(
                        channel -> assertThat(received.get(channel)).as(channel).contains("after"));
            });

            String left = onVictim.get(0);
            subscriptions.unsubscribe(left);
            await().atMost(WAIT)
                    .until(() -> victim.run(commands -> commands.pubsubShardNumsub(left))
                                    .getOrDefault(left, 0L)
                            == 0L);
        }
    }

    private final class Recorder extends RedisPubSubAdapter<String, String> {

        @Override
        public void smessage(String channel, String message) {
            received.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet())
                    .add(message);
        }

        @Override
        public void ssubscribed(String channel, long count) {
            acknowledged.merge(channel, 1, Integer::sum);
        }
    }
}
