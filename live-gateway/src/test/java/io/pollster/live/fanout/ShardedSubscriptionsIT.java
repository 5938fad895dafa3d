package io.pollster.live.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
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
 * (Lettuce's own resubscription sends them in one refused CROSSSLOT command); and when a master with a
 * replica is killed for good, its channels are subscribed on the promoted replica.
 */
class ShardedSubscriptionsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static ScheduledExecutorService retries;

    private final Map<String, Set<String>> received = new ConcurrentHashMap<>();
    private final Map<String, Integer> acknowledged = new ConcurrentHashMap<>();

    @BeforeAll
    static void startRetries() {
        retries = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopRetries() {
        retries.shutdownNow();
    }

    /** The client the services get: Spring Boot's, with the topology refresh of core's ServiceDefaults. */
    private static LettuceConnectionFactory connect(RedisCluster cluster) {
        LettuceConnectionFactory redis = new LettuceConnectionFactory(
                new RedisClusterConfiguration(List.of(cluster.nodesProperty().split(","))),
                LettuceClientConfiguration.builder()
                        .commandTimeout(Duration.ofSeconds(5))
                        .clientOptions(ClusterClientOptions.builder()
                                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                        .enableAllAdaptiveRefreshTriggers()
                                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                                        .build())
                                .build())
                        .build());
        redis.afterPropertiesSet();
        redis.start();
        return redis;
    }

    private static List<String> channels() {
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            channels.add(RedisKeys.updates(UUID.randomUUID()));
        }
        return channels;
    }

    @Test
    void everyChannelLivesOnItsMasterAndComesBackAfterTheMasterIsKilledAndRestarted() {
        try (RedisCluster cluster = RedisCluster.start()) {
            LettuceConnectionFactory redis = connect(cluster);
            try {
                killAndRestart(cluster, redis);
            } finally {
                redis.destroy();
            }
        }
    }

    private void killAndRestart(RedisCluster cluster, LettuceConnectionFactory redis) {
        List<String> channels = channels();
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

    @Test
    void aChannelWhoseMasterFailsOverIsSubscribedOnThePromotedReplica() {
        try (RedisCluster cluster = RedisCluster.start(1)) {
            LettuceConnectionFactory redis = connect(cluster);
            try {
                failOver(cluster, redis);
            } finally {
                redis.destroy();
            }
        }
    }

    private void failOver(RedisCluster cluster, LettuceConnectionFactory redis) {
        List<String> channels = channels();
        try (ShardedSubscriptions subscriptions = new ShardedSubscriptions(redis, new Recorder(), retries);
                LettuceConnections.Strings publisher = LettuceConnections.connect(redis)) {
            channels.forEach(subscriptions::subscribe);
            await().atMost(WAIT).until(() -> acknowledged.keySet().containsAll(channels));
            String watched = channels.get(0);
            RedisCluster.Node failed = cluster.masterOf(watched);

            failed.kill();
            await().atMost(WAIT).ignoreExceptions().until(() -> cluster.masterOf(watched) != failed);
            cluster.awaitHealthy();
            RedisCluster.Node promoted = cluster.masterOf(watched);
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                for (String channel : channels) {
                    if (!received.getOrDefault(channel, Set.of()).contains("after failover")) {
                        publisher.sync().spublish(channel, "after failover");
                    }
                }
                channels.forEach(
                        channel -> assertThat(received.get(channel)).as(channel).contains("after failover"));
            });
            Map<String, Long> onPromoted = promoted.run(commands -> commands.pubsubShardNumsub(watched));
            assertThat(onPromoted).containsEntry(watched, 1L);
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
