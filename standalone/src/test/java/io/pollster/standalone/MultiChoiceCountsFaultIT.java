package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.RedisKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A multi-choice poll under 200 concurrent voters, a fifth of whom try to vote twice, through the packaged
 * jar: the counts of every choice, of every question's voters and of the poll's voters are exact in
 * PostgreSQL, in Redis and in the results, after the JVM (its projector and ingester with it) is SIGKILLed
 * with the backlog half-projected, and after Redis is flushed (FLUSHALL) so its voter sets no longer stop
 * the duplicates: PostgreSQL's voter guard does.
 */
class MultiChoiceCountsFaultIT {

    private static final int VOTERS_PER_ROUND = 100;
    private static final Duration CONVERGED = Duration.ofMinutes(3);

    /** Question 0: 1 to 3 of 5 choices. Question 1: one of 3. */
    private static final String POLL =
            """
            {"title": "Exact under fire",
             "questions": [{"text": "Which?", "choices": ["a", "b", "c", "d", "e"], "min_choices": 1, "max_choices": 3},
                           {"text": "One", "choices": ["x", "y", "z"]}]}
            """;

    @TempDir
    Path workDir;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private List<UUID> questions;
    private List<List<UUID>> choices;

    /** Each voter's counted vote: the first one answered 202, as (question → chosen choices). */
    private final Map<UUID, Map<UUID, Set<UUID>>> counted = new ConcurrentHashMap<>();

    private final AtomicInteger duplicatesRefused = new AtomicInteger();
    private final AtomicInteger duplicatesAcceptedByRedis = new AtomicInteger();

    @Test
    void countsAreExactEverywhereAfterAProjectorKillAndAFlushAll() throws Exception {
        try (StandaloneProcess app = new StandaloneProcess(workDir)) {
            app.start();
            UUID pollId = createPoll(app);

            // round 1: 100 voters at once, 20 of them sending a second vote at the same moment
            List<UUID> firstRound = round(app, pollId, true);
            // the JVM dies with the projection of that burst under way
            ProcessHandle.of(app.pid()).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofMinutes(1)).until(() -> !app.isAlive());
            app.start();

            // Redis loses everything: voter sets, counts, the stream's acknowledged past
            try (RedisClient client = RedisClient.create(app.redisUrl());
                    StatefulRedisConnection<String, String> redis = client.connect()) {
                awaitDrained(app, pollId);
                redis.sync().flushall();
            }

            // round 2: 100 new voters, 20 of them trying twice at once; and 20 voters of round 1 trying
            // again, now past Redis (its sets are gone) but not past PostgreSQL
            List<UUID> secondRound = round(app, pollId, true);
            retryAfterFlush(app, pollId, firstRound.subList(0, VOTERS_PER_ROUND / 5));

            assertThat(counted).hasSize(2 * VOTERS_PER_ROUND);
            assertThat(firstRound).doesNotContainAnyElementsOf(secondRound);
            assertExact(app, pollId);
            System.out.printf(
                    "multi-choice counts exact: %d voters, duplicates refused by Redis %d, accepted by Redis and"
                            + " rejected by PostgreSQL %d, after a SIGKILL of the JVM and a FLUSHALL%n",
                    counted.size(), duplicatesRefused.get(), duplicatesAcceptedByRedis.get());
        }
    }

    /** A round of voters at once; a fifth of them send a second, different vote concurrently. */
    private List<UUID> round(StandaloneProcess app, UUID pollId, boolean duplicates) throws Exception {
        List<UUID> voters = new ArrayList<>();
        for (int i = 0; i < VOTERS_PER_ROUND; i++) {
            voters.add(UUID.randomUUID());
        }
        ExecutorService pool = Executors.newFixedThreadPool(64);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> sent = new ArrayList<>();
            Map<UUID, List<Map<UUID, Set<UUID>>>> accepted = new ConcurrentHashMap<>();
            for (int i = 0; i < voters.size(); i++) {
                UUID voter = voters.get(i);
                int attempts = duplicates && i % 5 == 0 ? 2 : 1;
                for (int attempt = 0; attempt < attempts; attempt++) {
                    // two votes of one voter are duplicates where they share a question: these answer both
                    Map<UUID, Set<UUID>> ballot = attempts == 1 ? ballot() : ballotOf(Set.copyOf(questions));
                    sent.add(pool.submit(() -> {
                        go.await();
                        int status = vote(app, pollId, voter, ballot);
                        if (status == 202) {
                            accepted.computeIfAbsent(voter, v -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                    .add(ballot);
                        } else {
                            assertThat(status).as("a voter's second vote").isEqualTo(409);
                            duplicatesRefused.incrementAndGet();
                        }
                        return null;
                    }));
                }
            }
            go.countDown();
            for (Future<?> request : sent) {
                request.get();
            }
            for (UUID voter : voters) {
                // the vote script decides atomically: exactly one vote of each voter is accepted
                assertThat(accepted.get(voter))
                        .as("votes of %s accepted", voter)
                        .hasSize(1);
                counted.put(voter, accepted.get(voter).get(0));
            }
        } finally {
            pool.shutdownNow();
        }
        return voters;
    }

    /** Voters whose first vote was counted vote again with other choices, one after another. */
    private void retryAfterFlush(StandaloneProcess app, UUID pollId, List<UUID> voters) throws Exception {
        for (UUID voter : voters) {
            // other choices for exactly the questions the counted vote answered: every one of them is
            // already the voter's, so nothing of this vote may count (a question left out would be new)
            Map<UUID, Set<UUID>> other = ballotOf(counted.get(voter).keySet());
            int status = vote(app, pollId, voter, other);
            if (status == 202) {
                duplicatesAcceptedByRedis.incrementAndGet();
            } else {
                assertThat(status).isEqualTo(409);
                duplicatesRefused.incrementAndGet();
            }
        }
    }

    /** A random valid ballot: question 0 with 1 to 3 choices and question 1, or only one of them. */
    private Map<UUID, Set<UUID>> ballot() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Map<UUID, Set<UUID>> ballot = new TreeMap<>();
        int shape = random.nextInt(4); // 0: question 0 only, 1: question 1 only, 2-3: both
        if (shape != 1) {
            List<UUID> shuffled = new ArrayList<>(choices.get(0));
            java.util.Collections.shuffle(shuffled);
            ballot.put(questions.get(0), Set.copyOf(shuffled.subList(0, 1 + random.nextInt(3))));
        }
        if (shape != 0) {
            ballot.put(questions.get(1), Set.of(choices.get(1).get(random.nextInt(3))));
        }
        return ballot;
    }

    /** A random valid ballot answering exactly {@code answered}. */
    private Map<UUID, Set<UUID>> ballotOf(Set<UUID> answered) {
        Map<UUID, Set<UUID>> ballot = ballot();
        while (!ballot.keySet().equals(answered)) {
            ballot = ballot();
        }
        return ballot;
    }

    private void assertExact(StandaloneProcess app, UUID pollId) throws Exception {
        // what the voters' counted ballots add up to
        Map<UUID, Long> choiceCounts = new HashMap<>();
        Map<UUID, Long> questionVoters = new HashMap<>();
        choices.forEach(list -> list.forEach(choice -> choiceCounts.put(choice, 0L)));
        questions.forEach(question -> questionVoters.put(question, 0L));
        for (Map<UUID, Set<UUID>> ballot : counted.values()) {
            ballot.forEach((question, picked) -> {
                questionVoters.merge(question, 1L, Long::sum);
                picked.forEach(choice -> choiceCounts.merge(choice, 1L, Long::sum));
            });
        }
        long pollVoters = counted.size();
        long version = choiceCounts.values().stream().mapToLong(Long::longValue).sum();

        await().atMost(CONVERGED)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    try (Connection db = DriverManager.getConnection(app.jdbcUrl(), "postgres", "")) {
                        assertThat(perKey(db, "SELECT choice_id, count FROM choice_counts WHERE poll_id = ?", pollId))
                                .isEqualTo(choiceCounts);
                        assertThat(perKey(
                                        db,
                                        "SELECT choice_id, count(*) FROM responses WHERE poll_id = ? GROUP BY choice_id",
                                        pollId))
                                .isEqualTo(nonZero(choiceCounts));
                        assertThat(perKey(
                                        db,
                                        "SELECT question_id, voters FROM question_voter_counts WHERE poll_id = ?",
                                        pollId))
                                .isEqualTo(questionVoters);
                        assertThat(perKey(
                                        db,
                                        "SELECT question_id, count(DISTINCT user_id) FROM responses WHERE poll_id = ?"
                                                + " GROUP BY question_id",
                                        pollId))
                                .isEqualTo(nonZero(questionVoters));
                        assertThat(perKey(
                                        db, "SELECT poll_id, voters FROM poll_voter_counts WHERE poll_id = ?", pollId))
                                .isEqualTo(Map.of(pollId, pollVoters));
                        // each counted voter's responses are exactly their first accepted ballot
                        assertThat(ballots(db, pollId)).isEqualTo(counted);
                    }
                    try (RedisClient client = RedisClient.create(app.redisUrl());
                            StatefulRedisConnection<String, String> redis = client.connect()) {
                        Map<String, String> hash = redis.sync().hgetall(RedisKeys.counts(pollId));
                        choiceCounts.forEach((choice, count) -> assertThat(hash.get(RedisKeys.choiceField(choice)))
                                .isEqualTo(Long.toString(count)));
                        questionVoters.forEach(
                                (question, count) -> assertThat(hash.get(RedisKeys.questionVotersField(question)))
                                        .isEqualTo(Long.toString(count)));
                        assertThat(hash.get(RedisKeys.POLL_VOTERS_FIELD)).isEqualTo(Long.toString(pollVoters));
                    }
                    JsonNode results = PollsterJson.mapper()
                            .readTree(
                                    app.get("/api/polls/" + pollId + "/results").body());
                    assertThat(results.get("total_votes").asLong()).isEqualTo(pollVoters);
                    assertThat(results.get("version").asLong()).isEqualTo(version);
                    for (JsonNode question : results.get("questions")) {
                        UUID questionId =
                                UUID.fromString(question.get("question_id").asString());
                        assertThat(question.get("total").asLong()).isEqualTo(questionVoters.get(questionId));
                        for (JsonNode choice : question.get("choices")) {
                            assertThat(choice.get("count").asLong())
                                    .isEqualTo(choiceCounts.get(UUID.fromString(
                                            choice.get("choice_id").asString())));
                        }
                    }
                });
    }

    /** Waits until every accepted vote so far is in PostgreSQL (nothing left in the stream to ingest). */
    private void awaitDrained(StandaloneProcess app, UUID pollId) {
        long expected = counted.values().stream()
                .mapToLong(
                        ballot -> ballot.values().stream().mapToLong(Set::size).sum())
                .sum();
        await().atMost(CONVERGED)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    try (Connection db = DriverManager.getConnection(app.jdbcUrl(), "postgres", "");
                            PreparedStatement count =
                                    db.prepareStatement("SELECT count(*) FROM responses WHERE poll_id = ?")) {
                        count.setObject(1, pollId);
                        try (ResultSet rows = count.executeQuery()) {
                            rows.next();
                            return rows.getLong(1) == expected;
                        }
                    }
                });
    }

    private static Map<UUID, Long> perKey(Connection db, String sql, UUID pollId) throws Exception {
        Map<UUID, Long> values = new HashMap<>();
        try (PreparedStatement select = db.prepareStatement(sql)) {
            select.setObject(1, pollId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    values.put(rows.getObject(1, UUID.class), rows.getLong(2));
                }
            }
        }
        return values;
    }

    private static Map<UUID, Map<UUID, Set<UUID>>> ballots(Connection db, UUID pollId) throws Exception {
        Map<UUID, Map<UUID, Set<UUID>>> ballots = new HashMap<>();
        try (PreparedStatement select =
                db.prepareStatement("SELECT user_id, question_id, choice_id FROM responses WHERE poll_id = ?")) {
            select.setObject(1, pollId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ballots.computeIfAbsent(rows.getObject(1, UUID.class), u -> new TreeMap<>())
                            .computeIfAbsent(rows.getObject(2, UUID.class), q -> new java.util.HashSet<>())
                            .add(rows.getObject(3, UUID.class));
                }
            }
        }
        ballots.replaceAll((user, ballot) -> {
            Map<UUID, Set<UUID>> frozen = new TreeMap<>();
            ballot.forEach((question, picked) -> frozen.put(question, Set.copyOf(picked)));
            return frozen;
        });
        return ballots;
    }

    private static Map<UUID, Long> nonZero(Map<UUID, Long> counts) {
        Map<UUID, Long> nonZero = new HashMap<>(counts);
        nonZero.values().removeIf(count -> count == 0);
        return nonZero;
    }

    private UUID createPoll(StandaloneProcess app) throws Exception {
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/polls"))
                        .header("Content-Type", "application/json")
                        .header("X-User-Id", UUID.randomUUID().toString())
                        .POST(HttpRequest.BodyPublishers.ofString(POLL))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode poll = PollsterJson.mapper().readTree(created.body());
        questions = new ArrayList<>();
        choices = new ArrayList<>();
        for (JsonNode question : poll.get("questions")) {
            questions.add(UUID.fromString(question.get("question_id").asString()));
            choices.add(question.get("choices")
                    .valueStream()
                    .map(choice -> UUID.fromString(choice.get("choice_id").asString()))
                    .toList());
        }
        return UUID.fromString(poll.get("poll_id").asString());
    }

    private int vote(StandaloneProcess app, UUID pollId, UUID voter, Map<UUID, Set<UUID>> ballot) throws Exception {
        List<String> answers = new ArrayList<>();
        ballot.forEach((question, picked) -> picked.forEach(
                choice -> answers.add("{\"question_id\":\"" + question + "\",\"choice_id\":\"" + choice + "\"}")));
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/polls/" + pollId + "/votes"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .header("X-User-Id", voter.toString())
                        .POST(HttpRequest.BodyPublishers.ofString("{\"answers\":[" + String.join(",", answers) + "]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode();
    }
}
