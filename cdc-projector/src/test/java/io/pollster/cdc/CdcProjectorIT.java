package io.pollster.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pollster.cdc.projection.ChangeProjector;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.core.results.CountsStore;
import io.pollster.core.results.ResultsMessage;
import io.pollster.testing.PollsterIntegrationTest;
import io.pollster.testing.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;

@PollsterIntegrationTest(
        properties = {
            "pollster.cdc.slot-name=" + CdcProjectorIT.SLOT,
            // health details go only to an authorized caller by default; an operator's private
            // management port shows them to anyone who reaches it, as here
            "management.endpoint.health.show-details=always",
            // the slot stays, as in production: dropped on the engine's stop it would be gone when
            // PostgreSQL restarts under the engine, and with it the position the projector resumes from
            // (the test servers are throwaway, so the slot pins no WAL beyond this JVM)
            "pollster.cdc.heartbeat-interval=1s",
            "management.endpoints.web.exposure.include=health",
            "management.endpoint.health.show-details=always"
        })
class CdcProjectorIT {

    static final String SLOT = "cdc_projector_it";
    private static final Duration CONVERGED = Duration.ofSeconds(30);

    private static RedisClient redisClient;
    private static StatefulRedisPubSubConnection<String, String> subscriber;
    private static final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    CountsStore counts;

    @Autowired
    Shards shards;

    @LocalServerPort
    int port;

    private VotingDatabase database;

    @BeforeAll
    static void subscribe() {
        redisClient = RedisClient.create(TestServers.get().redisUrl());
        subscriber = redisClient.connectPubSub();
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void smessage(String channel, String message) {
                messages.add(message);
            }
        });
    }

    @AfterAll
    static void unsubscribe() {
        subscriber.close();
        redisClient.shutdown();
    }

    @BeforeEach
    void waitForStreaming() throws Exception {
        TestServers servers = TestServers.get();
        database = new VotingDatabase(servers.jdbcUrl(), servers.username(), servers.password());
        messages.clear();
        await().atMost(CONVERGED)
                .ignoreExceptions()
                .until(() -> database.scalar(
                                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ? AND active", SLOT)
                        == 1);
    }

    @Test
    void countsInRedisEqualPostgresAndEveryBatchIsPublished() throws Exception {
        VotingDatabase.Poll poll = database.createPoll(2, 3);
        subscriber.sync().ssubscribe(RedisKeys.updates(poll.pollId()));
        try (var db = database.connect()) {
            for (int batch = 0; batch < 30; batch++) {
                database.vote(db, poll, 5);
            }
        }

        awaitRedisEqualsPostgres(poll.pollId());
        await().atMost(CONVERGED).until(() -> lastMessage(poll.pollId()).version() == 300);
        ResultsMessage last = lastMessage(poll.pollId());
        assertThat(last.type()).isEqualTo("results");
        assertThat(last.closed()).isFalse();
        // 150 voters answered both questions: 300 answers, 150 voters
        assertThat(last.totalVotes()).isEqualTo(150);
        assertThat(last.questions()).hasSize(2).allSatisfy(q -> assertThat(q.choices())
                .hasSize(3));
        assertThat(last.questions()).allSatisfy(q -> assertThat(q.total()).isEqualTo(150));
        // the voter counters are projected beside the choice counts, keep-the-greater like them
        await().atMost(CONVERGED).until(() -> "150"
                .equals(redis.opsForHash().get(RedisKeys.counts(poll.pollId()), RedisKeys.POLL_VOTERS_FIELD)));
        for (UUID question : poll.questionIds()) {
            assertThat(redis.opsForHash().get(RedisKeys.counts(poll.pollId()), RedisKeys.questionVotersField(question)))
                    .isEqualTo("150");
        }
    }

    @Test
    void hundredthVoteLeadsToExactlyOneMilestone() throws Exception {
        VotingDatabase.Poll poll = database.createPoll(1, 2);
        try (var db = database.connect()) {
            for (int batch = 0; batch < 24; batch++) {
                database.vote(db, poll, 5);
            }
        }

        awaitRedisEqualsPostgres(poll.pollId());
        await().atMost(CONVERGED).until(() -> milestonesOnStream(poll.pollId()).size() == 1);
        assertThat(milestonesOnStream(poll.pollId()).get(0).getValue()).containsEntry("total_votes", "100");
        assertThat(database.scalar("SELECT count(*) FROM cdc_milestones WHERE poll_id = ?", poll.pollId()))
                .isEqualTo(1);
    }

    @Test
    void deletedCountsUnderLoadAreRebuiltExactly() throws Exception {
        VotingDatabase.Poll poll = database.createPoll(1, 4);
        try (VoteLoad load = new VoteLoad(database, poll, 3)) {
            for (int deletion = 0; deletion < 5; deletion++) {
                long before = load.batches();
                await().atMost(CONVERGED).until(() -> load.batches() >= before + 10);
                redis.delete(RedisKeys.counts(poll.pollId()));
            }
        }

        awaitRedisEqualsPostgres(poll.pollId());
    }

    @Test
    void closingAPollReachesArchivalAndViewersAndLetsItsVoterSetsExpire() throws Exception {
        VotingDatabase.Poll poll = database.createPoll(1, 2);
        subscriber.sync().ssubscribe(RedisKeys.updates(poll.pollId()));
        try (var db = database.connect()) {
            database.vote(db, poll, 7);
        }
        String voters =
                RedisKeys.voters(shards.of(poll.pollId()), poll.questionIds().get(0));
        redis.opsForSet().add(voters, UUID.randomUUID().toString());
        assertThat(redis.getExpire(voters)).isEqualTo(-1L);
        database.execute("UPDATE polls SET closed_at = now() WHERE poll_id = ?", poll.pollId());

        await().atMost(CONVERGED).until(() -> lastMessage(poll.pollId()).closed());
        assertThat(lastMessage(poll.pollId()).totalVotes()).isEqualTo(7);
        // the closing message is published before the archival entry and the voter-set expiry of the same
        // record are written: wait for them rather than race the projector
        await().atMost(CONVERGED).untilAsserted(() -> {
            List<MapRecord<String, Object, Object>> archival = redis
                    .opsForStream()
                    .range(RedisKeys.archivalStream(shards.of(poll.pollId())), Range.unbounded())
                    .stream()
                    .filter(r -> poll.pollId().toString().equals(r.getValue().get("poll_id")))
                    .toList();
            assertThat(archival).hasSize(1);
            assertThat(archival.get(0).getValue())
                    .containsEntry("event", "poll_closed")
                    .containsKey("closed_at");
            assertThat(redis.getExpire(voters))
                    .isPositive()
                    .isLessThanOrEqualTo(ChangeProjector.VOTER_SETS_AFTER_CLOSE.toSeconds());
        });
    }

    @Test
    void responsesAndPollChangesReachTheChangesStream() throws Exception {
        VotingDatabase.Poll poll = database.createPoll(1, 2);
        try (var db = database.connect()) {
            database.vote(db, poll, 4);
        }

        await().atMost(CONVERGED).until(() -> changeEvents(poll.pollId()).size() == 5);
        List<Map<Object, Object>> events = changeEvents(poll.pollId());
        assertThat(events.get(0)).containsEntry("event", "poll_created");
        assertThat(events.subList(1, 5)).allSatisfy(e -> assertThat(e).containsEntry("event", "response_inserted"));
        JsonNode row = PollsterJson.mapper().readTree((String) events.get(1).get("row"));
        assertThat(row.get("poll_id").asString()).isEqualTo(poll.pollId().toString());
        assertThat(row.has("choice_id")).isTrue();
    }

    @Test
    void projectorReconnectsAfterPostgresRestartAndConverges() throws Exception {
        TestServers servers = TestServers.get();
        org.junit.jupiter.api.Assumptions.assumeTrue(servers.canRestart());
        VotingDatabase.Poll poll = database.createPoll(1, 3);
        try (VoteLoad load = new VoteLoad(database, poll, 3)) {
            await().atMost(CONVERGED).until(() -> load.batches() >= 20);
            servers.restartPostgres();
            long after = load.batches();
            await().atMost(CONVERGED)
                    .alias("votes flow again after the restart (last load error: " + load.lastError() + ")")
                    .until(() -> load.batches() >= after + 20);
        }

        awaitRedisEqualsPostgres(poll.pollId());
        await().atMost(CONVERGED)
                .until(() -> "UP".equals(cdcHealth().path("status").asString()));
    }

    @Test
    void healthShowsTheCdcComponent() throws Exception {
        JsonNode cdc = cdcHealth();

        assertThat(cdc.path("status").asString()).isEqualTo("UP");
        assertThat(cdc.path("details").path("state").asString()).isEqualTo("streaming");
        assertThat(cdc.path("details").path("slot").asString()).isEqualTo(SLOT);
    }

    private JsonNode cdcHealth() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return PollsterJson.mapper()
                .readTree(response.body())
                .path("components")
                .path("cdc");
    }

    private void awaitRedisEqualsPostgres(UUID pollId) {
        await().atMost(CONVERGED).ignoreExceptions().untilAsserted(() -> assertThat(counts.read(pollId))
                .isEqualTo(database.counts(pollId)));
    }

    private ResultsMessage lastMessage(UUID pollId) {
        return messages.stream()
                .map(json -> PollsterJson.mapper().readValue(json, ResultsMessage.class))
                .filter(m -> m.pollId().equals(pollId))
                .reduce((first, second) -> second)
                .orElse(new ResultsMessage("none", pollId, -1, false, 0, List.of()));
    }

    private List<MapRecord<String, Object, Object>> milestonesOnStream(UUID pollId) {
        return redis.opsForStream().range(RedisKeys.milestoneStream(shards.of(pollId)), Range.unbounded()).stream()
                .filter(r -> pollId.toString().equals(r.getValue().get("poll_id")))
                .toList();
    }

    private List<Map<Object, Object>> changeEvents(UUID pollId) {
        return redis.opsForStream().range(RedisKeys.changesStream(shards.of(pollId)), Range.unbounded()).stream()
                .map(MapRecord::getValue)
                .filter(fields -> pollId.toString().equals(fields.get("poll_id")))
                .toList();
    }
}
