package io.pollster.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.core.results.CountsStore;
import io.pollster.testing.TestServers;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Projectors in JVMs of their own, killed with SIGKILL while votes flow: a standby takes the slot over
 * each time, and when the votes stop Redis holds PostgreSQL's counts exactly, with each milestone
 * published once.
 */
class ProjectorFailoverIT {

    private static final String SLOT = "cdc_failover_it";
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final int KILLS = 5;

    private static LettuceConnectionFactory redisConnections;
    private static StringRedisTemplate redis;
    private static VotingDatabase database;
    private static final List<ProjectorProcess> projectors = new ArrayList<>();

    @BeforeAll
    static void connect() {
        TestServers servers = TestServers.get();
        Flyway.configure()
                .dataSource(new DriverManagerDataSource(servers.jdbcUrl(), servers.username(), servers.password()))
                .load()
                .migrate();
        database = new VotingDatabase(servers.jdbcUrl(), servers.username(), servers.password());
        URI uri = URI.create(servers.redisUrl());
        redisConnections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(uri.getHost(), uri.getPort()));
        redisConnections.afterPropertiesSet();
        redisConnections.start();
        redis = new StringRedisTemplate(redisConnections);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (ProjectorProcess projector : projectors) {
            projector.close();
        }
        // a slot left behind pins WAL for every later test of this JVM
        await().atMost(Duration.ofSeconds(30))
                .until(() -> database.scalar(
                                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ? AND active", SLOT)
                        == 0);
        database.execute(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?", SLOT);
        database.execute("DELETE FROM cdc_offsets WHERE store = ?", SLOT);
        redisConnections.destroy();
    }

    @Test
    void countsSurviveProjectorKillsAndStandbysTakeOver() throws Exception {
        ProjectorProcess active = started("first");
        await().atMost(STARTUP).alias("first projector streams").until(active::streaming);
        VotingDatabase.Poll poll = database.createPoll(1, 3);
        CountsStore counts = new CountsStore(redis);

        try (VoteLoad load = new VoteLoad(database, poll, 2)) {
            for (int kill = 1; kill <= KILLS; kill++) {
                ProjectorProcess standby = started("standby-" + kill);
                await().atMost(STARTUP)
                        .alias("standby " + kill + " waits for the slot")
                        .until(standby::standingBy);
                long before = load.batches();
                await().atMost(STARTUP).until(() -> load.batches() >= before + 30);

                active.kill();

                ProjectorProcess taking = standby;
                await().atMost(STARTUP)
                        .alias("standby " + kill + " takes the slot over")
                        .until(taking::streaming);
                active = standby;
            }
        }

        await().atMost(STARTUP).ignoreExceptions().untilAsserted(() -> assertThat(counts.read(poll.pollId()))
                .isEqualTo(database.counts(poll.pollId())));
        long total = database.scalar("SELECT sum(count) FROM choice_counts WHERE poll_id = ?", poll.pollId());
        assertThat(total)
                .isEqualTo(database.scalar("SELECT count(*) FROM responses WHERE poll_id = ?", poll.pollId()))
                .isGreaterThanOrEqualTo(100);
        assertThat(database.scalar(
                        "SELECT count(*) FROM cdc_milestones WHERE poll_id = ? AND threshold = 100", poll.pollId()))
                .isEqualTo(1);
        await().atMost(STARTUP).untilAsserted(() -> assertThat(milestoneEntries(poll.pollId(), "100"))
                .isEqualTo(1));
    }

    private static ProjectorProcess started(String name) {
        ProjectorProcess projector = ProjectorProcess.start(name, SLOT);
        projectors.add(projector);
        return projector;
    }

    private static long milestoneEntries(java.util.UUID pollId, String threshold) {
        int shard = new Shards(8).of(pollId);
        return redis.opsForStream().range(RedisKeys.milestoneStream(shard), Range.unbounded()).stream()
                .filter(r -> pollId.toString().equals(r.getValue().get("poll_id"))
                        && threshold.equals(r.getValue().get("total_votes")))
                .count();
    }
}
