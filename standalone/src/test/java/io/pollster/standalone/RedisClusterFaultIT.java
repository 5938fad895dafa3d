package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.testing.PollsterIntegrationTest;
import io.pollster.testing.RedisCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything in one JVM on a real three-master Redis Cluster ({@link RedisCluster}): votes, ingest,
 * projection, reads, live results over WebSocket and SSE (sharded pub/sub), milestones and closing, with
 * exact counts in PostgreSQL, Redis and every read; then the master owning the poll's vote stream is
 * killed with SIGKILL under load and restarted on its AOF, and the counts are exact again.
 */
@PollsterIntegrationTest(
        classes = PollsterApplication.class,
        properties = {
            // a slot of its own: other test contexts of this JVM project into their own Redis
            "pollster.cdc.slot-name=redis_cluster_fault_it",
            "spring.data.redis.timeout=5s",
        })
// the context closes after this class, and the cluster after it, at the JVM's exit (RedisCluster's hook):
// a context left running on killed nodes would only slow the JVM's exit with its reconnects
@DirtiesContext
class RedisClusterFaultIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration CONVERGED = Duration.ofSeconds(90);
    private static final RedisCluster cluster = RedisCluster.start();

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RedisConnectionFactory connectionFactory;

    @Autowired
    Shards shards;

    @DynamicPropertySource
    static void redisCluster(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.cluster.nodes", cluster::nodesProperty);
    }

    @Test
    void everyPathWorksOnAClusterAndAKilledMasterLosesNoVote() throws Exception {
        assertThat(((LettuceConnectionFactory) connectionFactory).getClusterConfiguration())
                .as("the application runs on the cluster")
                .isNotNull();
        await().atMost(CONVERGED)
                .until(() -> jdbc.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = ? AND active")
                                .param("redis_cluster_fault_it")
                                .query(Long.class)
                                .single()
                        == 1);

        UUID creator = UUID.randomUUID();
        JsonNode poll = post(
                "/api/polls",
                creator,
                "{\"title\":\"Cluster?\",\"questions\":[{\"text\":\"Pick\",\"choices\":[\"yes\",\"no\",\"maybe\"]}]}",
                201);
        UUID pollId = UUID.fromString(poll.path("poll_id").asString());
        String questionId = poll.path("questions").get(0).path("question_id").asString();
        List<String> choices = new ArrayList<>();
        poll.path("questions")
                .get(0)
                .path("choices")
                .forEach(c -> choices.add(c.path("choice_id").asString()));

        List<JsonNode> ws = new CopyOnWriteArrayList<>();
        WebSocket socket = http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + port + "/ws/polls/" + pollId), new Frames(ws))
                .join();
        List<JsonNode> sse = new CopyOnWriteArrayList<>();
        http.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/sse/polls/"
                                        + poll.path("slug").asString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofLines())
                .thenAccept(response -> response.body()
                        .filter(line -> line.startsWith("data:"))
                        .forEach(line -> sse.add(JSON.readTree(line.substring(5).trim()))));
        await().atMost(CONVERGED).until(() -> !ws.isEmpty() && !sse.isEmpty());

        // 1. a steady cluster: 150 users vote, which crosses the 100-vote milestone
        Map<String, Integer> accepted = new HashMap<>();
        ExecutorService voters = Executors.newFixedThreadPool(6);
        try {
            List<Future<String>> votes = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                String choice = choices.get(i % choices.size());
                votes.add(voters.submit(() -> {
                    post("/api/polls/" + pollId + "/votes", UUID.randomUUID(), vote(questionId, choice), 202);
                    return choice;
                }));
            }
            for (Future<String> vote : votes) {
                accepted.merge(vote.get(), 1, Integer::sum);
            }
        } finally {
            voters.shutdownNow();
        }
        awaitExactCounts(pollId, choices, accepted, ws, sse);
        await().atMost(CONVERGED).untilAsserted(() -> assertThat(
                        get("/api/notifications", creator).path("items"))
                .anySatisfy(item -> {
                    assertThat(item.path("poll_id").asString()).isEqualTo(pollId.toString());
                    assertThat(item.path("type").asString()).isEqualTo("milestone");
                }));

        // 2. SIGKILL of the master that owns the poll's vote stream, under load, then its restart
        String stream = RedisKeys.voteStream(shards.of(pollId));
        RedisCluster.Node owner = cluster.masterOf(stream);
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger refused = new AtomicInteger();
        // votes not answered 202 under the kill, by user: tried again below as a client would
        Map<UUID, String> notAccepted = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, AtomicInteger> acceptedUnderLoad = new HashMap<>();
        choices.forEach(choice -> acceptedUnderLoad.put(choice, new AtomicInteger()));
        ExecutorService load = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                workers.add(load.submit(() -> {
                    int n = 0;
                    while (loading.get()) {
                        String choice = choices.get((worker + n++) % choices.size());
                        UUID user = UUID.randomUUID();
                        int status = postStatus("/api/polls/" + pollId + "/votes", user, vote(questionId, choice));
                        if (status == 202) {
                            acceptedUnderLoad.get(choice).incrementAndGet();
                        } else {
                            // a 503 or a dropped connection: the master may have died after it ran the
                            // script and before its answer, so the vote may or may not be in
                            refused.incrementAndGet();
                            notAccepted.put(user, choice);
                        }
                    }
                    return null;
                }));
            }
            await().atMost(CONVERGED).until(() -> total(acceptedUnderLoad) >= 50);
            long killedPid = owner.pid();
            owner.kill();
            assertThat(ProcessHandle.of(killedPid)).isEmpty();
            await().atMost(CONVERGED).until(() -> refused.get() >= 5);
            owner.restart();
            int afterRestart = total(acceptedUnderLoad);
            await().atMost(CONVERGED).until(() -> total(acceptedUnderLoad) >= afterRestart + 50);
            loading.set(false);
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            loading.set(false);
            load.shutdownNow();
        }
        // each of those tried again with the same Idempotency-Key: 202 whether the first try was taken
        // (a replay) or not (taken now), so each is counted exactly once either way
        notAccepted.forEach((user, choice) -> await().atMost(CONVERGED)
                .until(() -> postStatus("/api/polls/" + pollId + "/votes", user, vote(questionId, choice)) == 202));
        acceptedUnderLoad.forEach((choice, n) -> accepted.merge(choice, n.get(), Integer::sum));
        notAccepted.values().forEach(choice -> accepted.merge(choice, 1, Integer::sum));
        awaitExactCounts(pollId, choices, accepted, ws, sse);

        // 3. closing reaches both kinds of viewer
        post("/api/polls/" + pollId + "/close", creator, "", 200);
        await().atMost(CONVERGED).untilAsserted(() -> {
            assertThat(ws.get(ws.size() - 1).path("closed").asBoolean()).isTrue();
            assertThat(sse.get(sse.size() - 1).path("closed").asBoolean()).isTrue();
        });
        for (List<JsonNode> seen : List.of(ws, sse)) {
            for (int i = 1; i < seen.size(); i++) {
                assertThat(seen.get(i).path("version").asLong())
                        .as("versions never go backwards")
                        .isGreaterThanOrEqualTo(seen.get(i - 1).path("version").asLong());
            }
        }
        socket.abort();
    }

    /** PostgreSQL rows and counters, the Redis hash, both reads and both viewers all show {@code expected}. */
    private void awaitExactCounts(
            UUID pollId, List<String> choices, Map<String, Integer> expected, List<JsonNode> ws, List<JsonNode> sse) {
        int total = expected.values().stream().mapToInt(Integer::intValue).sum();
        await().atMost(CONVERGED).untilAsserted(() -> {
            for (String choice : choices) {
                long want = expected.getOrDefault(choice, 0);
                assertThat(jdbc.sql("SELECT count(*) FROM responses WHERE choice_id = ?::uuid")
                                .param(choice)
                                .query(Long.class)
                                .single())
                        .as("responses of %s", choice)
                        .isEqualTo(want);
                assertThat(jdbc.sql("SELECT count FROM choice_counts WHERE choice_id = ?::uuid")
                                .param(choice)
                                .query(Long.class)
                                .single())
                        .as("choice_counts of %s", choice)
                        .isEqualTo(want);
                assertThat(redis.opsForHash()
                                .get(RedisKeys.counts(pollId), RedisKeys.choiceField(UUID.fromString(choice))))
                        .as("Redis count of %s", choice)
                        .isEqualTo(Long.toString(want));
            }
            assertThat(countsOf(get("/api/polls/" + pollId + "/results", null))).isEqualTo(expectedCounts(expected));
            assertThat(countsOf(get("/api/polls/" + pollId, null).path("results")))
                    .isEqualTo(expectedCounts(expected));
            assertThat(ws.get(ws.size() - 1).path("total_votes").asLong()).isEqualTo(total);
            assertThat(sse.get(sse.size() - 1).path("total_votes").asLong()).isEqualTo(total);
            assertThat(countsOf(ws.get(ws.size() - 1))).isEqualTo(expectedCounts(expected));
            assertThat(countsOf(sse.get(sse.size() - 1))).isEqualTo(expectedCounts(expected));
        });
    }

    private static Map<String, Long> expectedCounts(Map<String, Integer> expected) {
        Map<String, Long> counts = new HashMap<>();
        expected.forEach((choice, n) -> counts.put(choice, n.longValue()));
        return counts;
    }

    private static Map<String, Long> countsOf(JsonNode results) {
        Map<String, Long> counts = new HashMap<>();
        results.path("questions").forEach(question -> question.path("choices").forEach(choice -> {
            if (choice.path("count").asLong() > 0) {
                counts.put(
                        choice.path("choice_id").asString(),
                        choice.path("count").asLong());
            }
        }));
        return counts;
    }

    private static int total(Map<String, AtomicInteger> counts) {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    private static String vote(String questionId, String choiceId) {
        return "{\"answers\":[{\"question_id\":\"" + questionId + "\",\"choice_id\":\"" + choiceId + "\"}]}";
    }

    private JsonNode post(String path, UUID user, String body, int expectedStatus) throws Exception {
        HttpResponse<String> response = http.send(request(path, user, body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        return JSON.readTree(response.body());
    }

    private int postStatus(String path, UUID user, String body) {
        try {
            // one key per user's vote: a retry of it is a replay
            HttpRequest vote = HttpRequest.newBuilder(request(path, user, body), (name, value) -> true)
                    .header("Idempotency-Key", "vote-" + user)
                    .build();
            return http.send(vote, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private HttpRequest request(String path, UUID user, String body) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("X-User-Id", user.toString())
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private JsonNode get(String path, UUID user) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (user != null) {
            request.header("X-User-Id", user.toString());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** Collects the text messages of a WebSocket. */
    private static final class Frames implements WebSocket.Listener {

        private final List<JsonNode> seen;
        private final StringBuilder frame = new StringBuilder();

        Frames(List<JsonNode> seen) {
            this.seen = seen;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            frame.append(data);
            if (last) {
                seen.add(JSON.readTree(frame.toString()));
                frame.setLength(0);
            }
            socket.request(1);
            return null;
        }
    }
}
