package io.pollster.api.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.json.PollsterJson;
import io.pollster.core.poll.PollCatalog;
import io.pollster.core.poll.PollCatalogProperties;
import io.pollster.core.poll.PollDefinitions;
import io.pollster.core.redis.RedisKeys;
import io.pollster.testing.PollsterIntegrationTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

@PollsterIntegrationTest
class PollApiIT {

    private static final String EDITOR_POLL =
            """
            {"title": "Best editor?", "description": "optional",
             "closes_at": "2099-12-31T00:00:00Z",
             "questions": [{"text": "Pick one", "choices": ["vim", "emacs", "nano"]},
                           {"text": "And the other?", "choices": ["yes", "no"]}]}
            """;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    PollDefinitions definitions;

    @Autowired
    SwitchableRandom slugRandom;

    /** Random slug suffixes, unless a test asks for predictable ones to provoke a collision. */
    static final class SwitchableRandom implements RandomGenerator {
        final AtomicBoolean fixed = new AtomicBoolean();
        private final RandomGenerator random = new SecureRandom();

        @Override
        public long nextLong() {
            return fixed.get() ? 0 : random.nextLong();
        }

        @Override
        public int nextInt(int bound) {
            return fixed.get() ? 0 : random.nextInt(bound);
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class SlugsWithSwitchableRandom {

        @Bean
        SwitchableRandom slugRandom() {
            return new SwitchableRandom();
        }

        @Bean
        @Primary
        PollSlugs switchableSlugs(SwitchableRandom random) {
            return new PollSlugs(random);
        }
    }

    private final UUID creator = UUID.randomUUID();

    @Test
    void createdPollIsAnsweredWith201AndReadableByIdAndBySlug() {
        Answer created = post("/api/polls", creator, EDITOR_POLL);

        assertThat(created.status).isEqualTo(201);
        String pollId = created.json.get("poll_id").asString();
        assertThat(created.headers.firstValue("Location")).contains("/api/polls/" + pollId);
        assertThat(created.json.get("slug").asString()).matches("best-editor-[a-z0-9]{4}");
        assertThat(created.json.get("creator_id").asString()).isEqualTo(creator.toString());
        assertThat(created.json.get("closes_at").asString()).isEqualTo("2099-12-31T00:00:00Z");
        assertThat(created.json.get("closed_at").isNull()).isTrue();
        assertThat(created.json.has("results")).isFalse();
        JsonNode question = created.json.get("questions").get(0);
        assertThat(question.get("order").asInt()).isZero();
        assertThat(question.get("choices").get(1).get("text").asString()).isEqualTo("emacs");
        assertThat(created.json.get("questions").get(1).get("order").asInt()).isEqualTo(1);

        Answer byId = get("/api/polls/" + pollId);
        Answer bySlug = get("/api/polls/" + created.json.get("slug").asString());
        assertThat(byId.status).isEqualTo(200);
        assertThat(bySlug.json).isEqualTo(byId.json);
        // the answer to the creation is what every later read shows, results aside
        ((tools.jackson.databind.node.ObjectNode) byId.json).remove("results");
        assertThat(byId.json).isEqualTo(created.json);
    }

    @Test
    void slugCollisionIsRetriedWithALongerSuffix() {
        String body = "{\"title\": \"Collide now\", \"questions\": [{\"text\": \"q\", \"choices\": [\"a\", \"b\"]}]}";
        Answer first;
        Answer second;
        try {
            slugRandom.fixed.set(true); // every suffix letter is "a": the second poll collides once
            first = post("/api/polls", creator, body);
            second = post("/api/polls", creator, body);
        } finally {
            slugRandom.fixed.set(false);
        }

        assertThat(first.json.get("slug").asString()).isEqualTo("collide-now-aaaa");
        assertThat(second.status).isEqualTo(201);
        assertThat(second.json.get("slug").asString()).isEqualTo("collide-now-aaaaaa");
        assertThat(pollsOf(creator)).isEqualTo(2);
    }

    @Test
    void newPollHasEveryChoiceAtZeroInResultsAndInChoiceCounts() {
        JsonNode poll = post("/api/polls", creator, EDITOR_POLL).json;
        String pollId = poll.get("poll_id").asString();

        Answer results = get("/api/polls/" + pollId + "/results");

        assertThat(results.status).isEqualTo(200);
        assertThat(results.json.get("poll_id").asString()).isEqualTo(pollId);
        assertThat(results.json.get("version").asLong()).isZero();
        assertThat(results.json.get("total_votes").asLong()).isZero();
        assertThat(results.json.get("closed").asBoolean()).isFalse();
        assertThat(results.json.get("questions")).hasSize(2);
        assertThat(results.json.get("questions").get(0).get("choices")).hasSize(3);
        assertThat(results.json
                        .get("questions")
                        .get(0)
                        .get("choices")
                        .get(2)
                        .get("count")
                        .asLong())
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM choice_counts WHERE poll_id = ? AND count = 0")
                        .param(UUID.fromString(pollId))
                        .query(Long.class)
                        .single())
                .isEqualTo(5);
        assertThat(get("/api/polls/" + poll.get("slug").asString() + "/results").json)
                .isEqualTo(results.json);
    }

    @Test
    void resultsAreRebuiltFromPostgresWithTheSameCountsAfterRedisLosesThem() {
        JsonNode poll = post("/api/polls", creator, EDITOR_POLL).json;
        UUID pollId = UUID.fromString(poll.get("poll_id").asString());
        jdbc.sql("UPDATE choice_counts SET count = 7 WHERE poll_id = ? AND choice_id = ?")
                .params(
                        pollId,
                        UUID.fromString(
                                poll.at("/questions/0/choices/1/choice_id").asString()))
                .update();
        jdbc.sql("UPDATE choice_counts SET count = 3 WHERE poll_id = ? AND choice_id = ?")
                .params(
                        pollId,
                        UUID.fromString(
                                poll.at("/questions/1/choices/0/choice_id").asString()))
                .update();

        // 8 voters: 7 answered the first question, 3 the second (2 of them both)
        jdbc.sql("UPDATE question_voter_counts SET voters = 7 WHERE question_id = ?")
                .param(UUID.fromString(poll.at("/questions/0/question_id").asString()))
                .update();
        jdbc.sql("UPDATE question_voter_counts SET voters = 3 WHERE question_id = ?")
                .param(UUID.fromString(poll.at("/questions/1/question_id").asString()))
                .update();
        jdbc.sql("UPDATE poll_voter_counts SET voters = 8 WHERE poll_id = ?")
                .param(pollId)
                .update();

        JsonNode before = get("/api/polls/" + pollId + "/results").json;
        assertThat(redis.hasKey(RedisKeys.counts(pollId))).isTrue();
        redis.delete(List.of(RedisKeys.counts(pollId), RedisKeys.pollMetadata(pollId)));
        JsonNode after = get("/api/polls/" + pollId + "/results").json;

        assertThat(before.get("total_votes").asLong()).isEqualTo(8);
        assertThat(before.get("version").asLong()).isEqualTo(10);
        assertThat(before.at("/questions/0/total").asLong()).isEqualTo(7);
        assertThat(before.at("/questions/1/total").asLong()).isEqualTo(3);
        assertThat(before.at("/questions/0/choices/1/count").asLong()).isEqualTo(7);
        assertThat(after).isEqualTo(before);
        assertThat(get("/api/polls/" + pollId).json.get("results")).isEqualTo(before);
    }

    @Test
    void closingTwiceKeepsTheFirstClosedAtAndResultsShowClosed() {
        String pollId =
                post("/api/polls", creator, EDITOR_POLL).json.get("poll_id").asString();

        Answer first = post("/api/polls/" + pollId + "/close", creator, null);
        Answer second = post("/api/polls/" + pollId + "/close", creator, null);

        assertThat(first.status).isEqualTo(200);
        assertThat(first.json.get("closed_at").isNull()).isFalse();
        assertThat(second.status).isEqualTo(200);
        assertThat(second.json.get("closed_at")).isEqualTo(first.json.get("closed_at"));
        assertThat(get("/api/polls/" + pollId).json.get("closed_at")).isEqualTo(first.json.get("closed_at"));
        assertThat(get("/api/polls/" + pollId + "/results").json.get("closed").asBoolean())
                .isTrue();
    }

    @Test
    void anotherInstanceSeesTheCloseThroughRedis() {
        UUID pollId = UUID.fromString(
                post("/api/polls", creator, EDITOR_POLL).json.get("poll_id").asString());
        // a second instance with its own in-process cache, warmed while the poll is open
        PollCatalog otherInstance = new PollCatalog(
                definitions,
                redis,
                Clock.systemUTC(),
                new PollCatalogProperties(
                        Duration.ZERO, Duration.ofHours(1), Duration.ofHours(1), 100, Duration.ofSeconds(5), 100));
        assertThat(otherInstance.find(pollId).orElseThrow().closedAt()).isNull();

        post("/api/polls/" + pollId + "/close", creator, null);

        assertThat(otherInstance.find(pollId).orElseThrow().closedAt()).isNotNull();
        assertThat(PollsterJson.mapper()
                        .readTree(redis.opsForValue().get(RedisKeys.pollMetadata(pollId)))
                        .get("closed_at")
                        .isNull())
                .isFalse();
    }

    @Test
    void closingSomeoneElsesPollIs403AndLeavesItOpen() {
        String pollId =
                post("/api/polls", creator, EDITOR_POLL).json.get("poll_id").asString();

        Answer answer = post("/api/polls/" + pollId + "/close", UUID.randomUUID(), null);

        assertProblem(answer, 403, "not-poll-owner");
        assertThat(get("/api/polls/" + pollId).json.get("closed_at").isNull()).isTrue();
    }

    @Test
    void everyBrokenRuleIsListedAsAValidationErrorAndNothingIsCreated() {
        String body =
                """
                {"title": " ", "description": "%s", "closes_at": "2001-01-01T00:00:00Z",
                 "questions": [{"text": "", "choices": ["a"]},
                               {"text": "ok", "choices": ["same", "same", "%s"]},
                               null]}
                """
                        .formatted("d".repeat(2001), "x".repeat(501));

        Answer answer = post("/api/polls", creator, body);

        assertProblem(answer, 400, "validation");
        assertThat(fields(answer))
                .containsExactlyInAnyOrder(
                        "title",
                        "description",
                        "closes_at",
                        "questions[0].text",
                        "questions[0].choices",
                        "questions[1].choices[1]",
                        "questions[1].choices[2]",
                        "questions[2]");
        assertThat(pollsOf(creator)).isZero();
    }

    @Test
    void questionAndChoiceCountsAreBounded() {
        String noQuestions = "{\"title\": \"t\", \"questions\": []}";
        String tooManyChoices = "{\"title\": \"t\", \"questions\": [{\"text\": \"q\", \"choices\": "
                + json(java.util.stream.IntStream.range(0, 21)
                        .mapToObj(i -> "c" + i)
                        .toList()) + "}]}";
        String tooManyQuestions = "{\"title\": \"t\", \"questions\": "
                + java.util.stream.IntStream.range(0, 21)
                        .mapToObj(i -> "{\"text\": \"q\", \"choices\": [\"a\", \"b\"]}")
                        .toList()
                + "}";
        String longTitle = "{\"title\": \"" + "é".repeat(201)
                + "\", \"questions\": [{\"text\": \"q\", \"choices\": [\"a\", \"b\"]}]}";
        String missingQuestions = "{\"title\": \"t\"}";

        assertThat(fields(post("/api/polls", creator, noQuestions))).containsExactly("questions");
        assertThat(fields(post("/api/polls", creator, tooManyChoices))).containsExactly("questions[0].choices");
        assertThat(fields(post("/api/polls", creator, tooManyQuestions))).containsExactly("questions");
        assertThat(fields(post("/api/polls", creator, longTitle))).containsExactly("title");
        assertThat(fields(post("/api/polls", creator, missingQuestions))).containsExactly("questions");
        assertThat(pollsOf(creator)).isZero();
    }

    @Test
    void limitsCountCharactersNotUtf16Units() {
        // 200 emoji are 400 UTF-16 units but 200 characters, as PostgreSQL counts them
        String title = "\uD83D\uDDF3".repeat(200);
        String body = "{\"title\": \"" + title + "\", \"questions\": [{\"text\": \"q\", \"choices\": [\"a\", \"b\"]}]}";

        Answer answer = post("/api/polls", creator, body);

        assertThat(answer.status).isEqualTo(201);
        assertThat(answer.json.get("slug").asString()).matches("poll-[a-z0-9]{4}");
    }

    @Test
    void unreadableJsonIsMalformedRequest() {
        assertProblem(post("/api/polls", creator, "{\"title\": "), 400, "malformed-request");
        assertProblem(post("/api/polls", creator, "{\"title\": \"t\", \"questions\": 5}"), 400, "malformed-request");
        assertProblem(post("/api/polls", creator, ""), 400, "malformed-request");
        assertProblem(
                post("/api/polls", creator, "{\"title\": \"t\", \"closes_at\": \"tomorrow\"}"),
                400,
                "malformed-request");
        assertThat(pollsOf(creator)).isZero();
    }

    @Test
    void missingOrMalformedUserIs401() {
        assertProblem(
                send(request("/api/polls").POST(body(EDITOR_POLL)).header("Content-Type", "application/json")),
                401,
                "unauthenticated");
        assertProblem(
                send(request("/api/polls")
                        .POST(body(EDITOR_POLL))
                        .header("Content-Type", "application/json")
                        .header("X-User-Id", "not-a-uuid")),
                401,
                "unauthenticated");
        String pollId =
                post("/api/polls", creator, EDITOR_POLL).json.get("poll_id").asString();
        assertProblem(
                send(request("/api/polls/" + pollId + "/close").POST(HttpRequest.BodyPublishers.noBody())),
                401,
                "unauthenticated");
    }

    @Test
    void unknownPollIs404ByIdAndBySlug() {
        assertProblem(get("/api/polls/" + UUID.randomUUID()), 404, "not-found");
        assertProblem(get("/api/polls/no-such-poll"), 404, "not-found");
        assertProblem(get("/api/polls/no-such-poll/results"), 404, "not-found");
        assertProblem(post("/api/polls/" + UUID.randomUUID() + "/close", creator, null), 404, "not-found");
    }

    @Test
    void bodyOver64KiBIs413WhetherDeclaredOrStreamed() {
        String huge = "{\"title\": \"" + "x".repeat(70 * 1024) + "\"}";

        Answer declared = post("/api/polls", creator, huge);
        Answer streamed = send(request("/api/polls")
                .header("Content-Type", "application/json")
                .header("X-User-Id", creator.toString())
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge.getBytes()))));

        assertProblem(declared, 413, "payload-too-large");
        assertProblem(streamed, 413, "payload-too-large");
        assertThat(pollsOf(creator)).isZero();
    }

    @Test
    void wrongMediaTypeIs415() {
        Answer answer = send(request("/api/polls")
                .header("Content-Type", "text/plain")
                .header("X-User-Id", creator.toString())
                .POST(body(EDITOR_POLL)));

        assertProblem(answer, 415, "unsupported-media-type");
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405InTheSameFormat() {
        assertProblem(get("/api/nothing/here"), 404, "not-found");
        assertProblem(get("/no-such-page"), 404, "not-found");
        assertProblem(send(request("/api/polls/" + UUID.randomUUID()).DELETE()), 405, "method-not-allowed");
        assertProblem(get("/api/polls/" + UUID.randomUUID() + "/close"), 405, "method-not-allowed");
    }

    @Test
    void aUrlTheSecurityFirewallRefusesIsAMalformedRequestProblem() {
        Answer answer = get("/api/polls/x;jsessionid=1/results");

        assertProblem(answer, 400, "malformed-request");
    }

    @Test
    void openApiDescribesThePollsApiInSnakeCase() {
        Answer docs = get("/v3/api-docs");

        assertThat(docs.status).isEqualTo(200);
        assertThat(docs.json.at("/info/title").asString()).isEqualTo("Pollster API");
        assertThat(docs.json.at("/paths/~1api~1polls/post").isMissingNode()).isFalse();
        assertThat(docs.json
                        .at("/paths/~1api~1polls~1{pollIdOrSlug}~1results/get")
                        .isMissingNode())
                .isFalse();
        assertThat(docs.json
                        .at("/paths/~1api~1polls~1{pollId}~1close/post/parameters")
                        .toString())
                .contains("X-User-Id");
        assertThat(docs.json.at("/components/schemas/PollView/properties").has("poll_id"))
                .isTrue();
        assertThat(docs.json.at("/components/schemas/Results/properties").has("total_votes"))
                .isTrue();
        assertThat(docs.json
                        .at("/paths/~1api~1polls~1{pollId}~1close/post/responses/403/content")
                        .toString())
                .contains("application/problem+json");
    }

    private void assertProblem(Answer answer, int status, String slug) {
        assertThat(answer.status).as(answer.raw).isEqualTo(status);
        assertThat(answer.headers.firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(answer.json.path("type").asString())
                .as(answer.raw)
                .isEqualTo("https://pollster.io/problems/" + slug);
        assertThat(answer.json.path("status").asInt()).as(answer.raw).isEqualTo(status);
        assertThat(answer.json.path("title").asString()).as(answer.raw).isNotBlank();
        assertThat(answer.json.path("detail").asString()).as(answer.raw).isNotBlank();
        assertThat(answer.json.path("instance").asString()).startsWith("/");
    }

    private static List<String> fields(Answer answer) {
        assertThat(answer.status).as(answer.raw).isEqualTo(400);
        return answer.json
                .get("errors")
                .valueStream()
                .map(error -> error.get("field").asString())
                .toList();
    }

    private long pollsOf(UUID user) {
        return jdbc.sql("SELECT count(*) FROM polls WHERE creator_id = ?")
                .param(user)
                .query(Long.class)
                .single();
    }

    private static String json(Object value) {
        return PollsterJson.mapper().writeValueAsString(value);
    }

    private Answer get(String path) {
        return send(request(path).GET());
    }

    private Answer post(String path, UUID user, String json) {
        HttpRequest.Builder request = request(path).header("X-User-Id", user.toString());
        if (json == null) {
            return send(request.POST(HttpRequest.BodyPublishers.noBody()));
        }
        return send(request.header("Content-Type", "application/json").POST(body(json)));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
    }

    private static HttpRequest.BodyPublisher body(String json) {
        return HttpRequest.BodyPublishers.ofString(json);
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isEmpty()
                    ? PollsterJson.mapper().nullNode()
                    : PollsterJson.mapper().readTree(response.body());
            return new Answer(response.statusCode(), response.headers(), json, response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private record Answer(int status, java.net.http.HttpHeaders headers, JsonNode json, String raw) {}
}
