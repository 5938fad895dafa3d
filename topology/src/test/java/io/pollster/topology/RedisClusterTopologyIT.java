package io.pollster.topology;

import static io.pollster.topology.PollsterClient.counts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.testing.RedisCluster;
import io.pollster.topology.PollsterClient.Poll;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topology of docker-compose.yml with docker-compose.cluster.yml over it, as {@code docker compose
 * -f docker-compose.yml -f docker-compose.cluster.yml} runs it: every service on a Redis Cluster of
 * separate redis-server processes, the same scenarios as on one Redis, and a master's crash.
 */
class RedisClusterTopologyIT extends TopologyScenarios {

    private static final Logger log = LoggerFactory.getLogger(RedisClusterTopologyIT.class);

    private final ClusterRedis redis = new ClusterRedis();

    @Override
    protected RedisDeployment redis() {
        return redis;
    }

    @Override
    protected String name() {
        return "redis-cluster";
    }

    @Override
    protected Topology.Builder configure(Topology.Builder builder) {
        return builder.composeFiles("docker-compose.yml", "docker-compose.cluster.yml");
    }

    /**
     * docker-compose.cluster.yml runs masters without replicas: a master that dies takes its slots with
     * it until it is back ({@code cluster-require-full-coverage no} keeps the others serving theirs), and
     * its append-only file brings back everything it acknowledged. A poll's counts and live updates live
     * on the master of its slot; that master is SIGKILLed under load, left down until the cluster agrees
     * it failed, and started again. Nothing is lost or counted twice, the viewers get the exact counts
     * again, and the close and the milestones still come.
     */
    @Test
    @Order(4)
    void thePollsMasterKilledUnderLoadAndRestartedLosesNothing() throws Exception {
        UUID creator = UUID.randomUUID();
        Poll poll = client.createPoll(creator, "Master crash " + creator, List.of(List.of("one", "two", "three")));
        List<LiveViewer> viewers = viewers(poll, 1);
        Voters voters = Voters.start(client, poll, 3, 50_000, Duration.ofMillis(20), 3);
        try {
            await("every viewer's first message").atMost(PATIENCE).until(() -> viewers.stream()
                    .allMatch(v -> v.latest() != null));
            RedisCluster cluster = redis.cluster();
            RedisCluster.Node master = cluster.masterOf("{" + poll.id() + "}");
            awaitAccepted(voters::accepted, 50);
            log.info(
                    "SIGKILL of redis-server pid {} (port {}), the master of poll {}, at {} accepted votes",
                    master.pid(),
                    master.port(),
                    poll.id(),
                    voters.accepted());
            master.kill();
            cluster.awaitFailed(master);
            log.info("The cluster flags it failed at {} accepted votes; starting it again", voters.accepted());
            master.restart();
            awaitAccepted(voters::accepted, Math.max(FIRST_MILESTONE + 20, voters.accepted() + 100));
            voters.stopAndWait();
            log.info("{} votes accepted, {} requests asked again", voters.accepted(), voters.retries());

            assertThat(voters.failures()).isEmpty();
            Map<String, Long> expected = voters.expectedCounts();
            int users = voters.accepted();
            awaitCounts(poll, expected, users);
            await("every viewer shows the exact counts")
                    .atMost(PATIENCE)
                    .untilAsserted(() -> viewers.forEach(
                            v -> assertThat(counts(v.latest())).as(v.name()).isEqualTo(expected)));

            HttpResponse<String> closed = client.close(creator, poll);
            assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
            awaitClosingMessages(viewers, expected, users);
            awaitMilestoneNotifications(
                    creator, poll, client.results(poll.id()).path("total_votes").asLong());
            viewers.forEach(v -> assertThat(v.violations()).as(v.name()).isEmpty());
        } finally {
            voters.close();
            viewers.forEach(LiveViewer::close);
        }
    }
}
