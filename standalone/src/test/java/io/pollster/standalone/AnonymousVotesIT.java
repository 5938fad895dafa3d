package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.identity.VoterIds;
import io.pollster.core.redis.RedisKeys;
import io.pollster.testing.PollsterIntegrationTest;
import io.pollster.testing.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Anonymous polls through the whole path (issue #14's "done when"): concurrent voters without users,
 * many behind each address of an {@code ip} poll (sent as {@code X-Forwarded-For} from loopback, the
 * trusted proxy), counted once per address per question in PostgreSQL, in Redis's projected counts and
 * in the results; a {@code device} poll's duplicates refused.
 */
@PollsterIntegrationTest(classes = PollsterApplication.class)
class AnonymousVotesIT {

    private static final int VOTERS = 200;
    private static final int ADDRESSES = 20;
    private static final int QUESTIONS = 2;
    private static final int CHOICES = 3;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final VoterIds VOTER_IDS = new VoterIds(TestServers.ANONYMOUS_SECRET);

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Test
    void twoHundredVotersBehindTwentyAddressesAreTwentyVotesPerQuestion() throws Exception {
        Poll poll = create("ip");
        List<String> addresses = new ArrayList<>(distinctAddresses());
        // per address, the choice its accepted vote made: whichever of its voters came first
        Map<String, Integer> winners = new ConcurrentHashMap<>();
        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        List<Runnable> voters = new ArrayList<>();
        for (int v = 0; v < VOTERS; v++) {
            String address = addresses.get(v % ADDRESSES);
            int choice = ThreadLocalRandom.current().nextInt(CHOICES);
            voters.add(() -> {
                HttpResponse<String> answer = vote(poll, choice, Map.of("X-Forwarded-For", address));
                statuses.add(answer.statusCode());
                if (answer.statusCode() == 202) {
                    assertThat(winners.put(address, choice))
                            .as("a second accepted vote from " + address)
                            .isNull();
                } else {
                    assertThat(answer.body()).as(answer.body()).contains("already-voted");
                }
            });
        }
        Collections.shuffle(voters);
        runConcurrently(voters);

        assertThat(statuses.stream().filter(s -> s == 202)).hasSize(ADDRESSES);
        assertThat(statuses.stream().filter(s -> s == 409)).hasSize(VOTERS - ADDRESSES);
        assertThat(winners.keySet()).containsExactlyInAnyOrderElementsOf(addresses);
        Map<UUID, Long> expected = new HashMap<>();
        for (int q = 0; q < QUESTIONS; q++) {
            for (int c = 0; c < CHOICES; c++) {
                int choice = c;
                expected.put(
                        poll.choices.get(q).get(c),
                        winners.values().stream().filter(w -> w == choice).count());
            }
        }

        await().atMost(Duration.ofMinutes(2))
                .untilAsserted(() -> assertThat(responses(poll)).isEqualTo((long) ADDRESSES * QUESTIONS));
        assertThat(jdbc.sql("SELECT DISTINCT user_id FROM responses WHERE poll_id = ?")
                        .param(poll.pollId)
                        .query(UUID.class)
                        .set())
                .isEqualTo(addresses.stream()
                        .map(a -> VOTER_IDS.ofAddress(a).orElseThrow())
                        .collect(Collectors.toSet()));
        assertThat(jdbc.sql("SELECT DISTINCT ip_address FROM responses WHERE poll_id = ?")
                        .param(poll.pollId)
                        .query(String.class)
                        .set())
                .isEqualTo(new HashSet<>(addresses));
        for (int q = 0; q < QUESTIONS; q++) {
            assertThat(jdbc.sql("SELECT count(*) FROM responses WHERE question_id = ?")
                            .param(poll.questions.get(q))
                            .query(Long.class)
                            .single())
                    .isEqualTo(ADDRESSES);
        }
        assertThat(choiceCounts(poll)).isEqualTo(expected);
        await().atMost(Duration.ofMinutes(2))
                .untilAsserted(() -> assertThat(redisCounts(poll)).isEqualTo(expected));
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            JsonNode results = get("/api/polls/" + poll.pollId + "/results");
            Map<UUID, Long> shown = new HashMap<>();
            for (JsonNode question : results.path("questions")) {
                assertThat(question.path("total").asLong()).isEqualTo(ADDRESSES);
                for (JsonNode choice : question.path("choices")) {
                    shown.put(
                            UUID.fromString(choice.path("choice_id").asString()),
                            choice.path("count").asLong());
                }
            }
            assertThat(shown).isEqualTo(expected);
        });
        System.out.printf(
                "AnonymousVotesIT: %d voters behind %d addresses: %d accepted, %d already-voted%n",
                VOTERS, ADDRESSES, ADDRESSES, VOTERS - ADDRESSES);
    }

    @Test
    void aDevicePollRefusesEachDevicesSecondVoteEvenWhenBothRace() throws Exception {
        Poll poll = create("device");
        int devices = 50;
        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        List<Runnable> attempts = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            String device = UUID.randomUUID().toString();
            int choice = d % CHOICES;
            // two attempts of one device, from one address, racing with other choices
            attempts.add(() -> statuses.add(
                    vote(poll, choice, Map.of(VoterIds.DEVICE_HEADER, device)).statusCode()));
            attempts.add(() -> statuses.add(vote(poll, (choice + 1) % CHOICES, Map.of(VoterIds.DEVICE_HEADER, device))
                    .statusCode()));
        }
        Collections.shuffle(attempts);
        runConcurrently(attempts);

        assertThat(statuses.stream().filter(s -> s == 202)).hasSize(devices);
        assertThat(statuses.stream().filter(s -> s == 409)).hasSize(devices);
        await().atMost(Duration.ofMinutes(2))
                .untilAsserted(() -> assertThat(responses(poll)).isEqualTo((long) devices * QUESTIONS));
        assertThat(jdbc.sql("SELECT count(DISTINCT user_id) FROM responses WHERE poll_id = ?")
                        .param(poll.pollId)
                        .query(Long.class)
                        .single())
                .isEqualTo(devices);
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            for (JsonNode question :
                    get("/api/polls/" + poll.pollId + "/results").path("questions")) {
                assertThat(question.path("total").asLong()).isEqualTo(devices);
            }
        });
    }

    private static void runConcurrently(List<Runnable> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<?>> done = new ArrayList<>();
            tasks.forEach(task -> done.add(pool.submit(task)));
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static Set<String> distinctAddresses() {
        Set<String> addresses = new LinkedHashSet<>();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (addresses.size() < ADDRESSES) {
            addresses.add("198." + (18 + random.nextInt(2)) + "." + random.nextInt(256) + "." + random.nextInt(1, 255));
        }
        return addresses;
    }

    private Poll create(String voters) throws Exception {
        String body =
                """
                {"title": "Anonymous at scale", "voters": "%s",
                 "questions": [{"text": "One", "choices": ["a", "b", "c"]}, {"text": "Two", "choices": ["x", "y", "z"]}]}
                """
                        .formatted(voters);
        HttpResponse<String> created =
                send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/polls"))
                        .header("X-User-Id", UUID.randomUUID().toString())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode poll = JSON.readTree(created.body());
        List<UUID> questions = new ArrayList<>();
        List<List<UUID>> choices = new ArrayList<>();
        for (JsonNode question : poll.path("questions")) {
            questions.add(UUID.fromString(question.path("question_id").asString()));
            List<UUID> of = new ArrayList<>();
            question.path("choices")
                    .forEach(c -> of.add(UUID.fromString(c.path("choice_id").asString())));
            choices.add(of);
        }
        return new Poll(UUID.fromString(poll.path("poll_id").asString()), questions, choices);
    }

    private HttpResponse<String> vote(Poll poll, int choice, Map<String, String> headers) {
        StringBuilder body = new StringBuilder("{\"answers\":[");
        for (int q = 0; q < poll.questions.size(); q++) {
            body.append(q == 0 ? "" : ",")
                    .append("{\"question_id\":\"")
                    .append(poll.questions.get(q))
                    .append("\",\"choice_id\":\"")
                    .append(poll.choices.get(q).get(choice))
                    .append("\"}");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/polls/" + poll.pollId + "/votes"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString()));
        headers.forEach(request::header);
        return send(request);
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long responses(Poll poll) {
        return jdbc.sql("SELECT count(*) FROM responses WHERE poll_id = ?")
                .param(poll.pollId)
                .query(Long.class)
                .single();
    }

    private Map<UUID, Long> choiceCounts(Poll poll) {
        Map<UUID, Long> counts = new HashMap<>();
        poll.choices.forEach(of -> of.forEach(c -> counts.put(c, 0L)));
        jdbc.sql("SELECT choice_id, count FROM choice_counts WHERE poll_id = ?")
                .param(poll.pollId)
                .query((rs, n) -> counts.put(rs.getObject(1, UUID.class), rs.getLong(2)))
                .list();
        return counts;
    }

    private Map<UUID, Long> redisCounts(Poll poll) {
        Map<UUID, Long> counts = new HashMap<>();
        poll.choices.forEach(of -> of.forEach(c -> {
            Object value = redis.opsForHash().get(RedisKeys.counts(poll.pollId), RedisKeys.choiceField(c));
            counts.put(c, value == null ? 0L : Long.parseLong(value.toString()));
        }));
        return counts;
    }

    private record Poll(UUID pollId, List<UUID> questions, List<List<UUID>> choices) {}
}
