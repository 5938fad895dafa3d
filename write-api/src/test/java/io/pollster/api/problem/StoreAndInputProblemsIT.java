package io.pollster.api.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.api.WriteApiApplication;
import io.pollster.core.ServiceDefaults;
import io.pollster.core.json.PollsterJson;
import io.pollster.embedded.EmbeddedPostgresServer;
import io.pollster.embedded.EmbeddedRedisServer;
import io.pollster.testing.TestServers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Bad input that a store would refuse, and stores that cannot be reached, answered in the problem
 * format. write-api runs on PostgreSQL and Redis servers of this test's own, so it can SIGKILL them
 * without disturbing the servers other tests share.
 */
class StoreAndInputProblemsIT {

    private static final String PROBLEMS = "https://pollster.io/problems/";

    private static Path dataDir;
    private static EmbeddedPostgresServer postgres;
    private static EmbeddedRedisServer redis;
    private static ConfigurableApplicationContext app;
    private static JdbcClient jdbc;
    private static String base;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startWriteApi() throws IOException {
        dataDir = Files.createTempDirectory("pollster-problems-it-");
        postgres = new EmbeddedPostgresServer(dataDir.resolve("postgres"), 0, false).start();
        redis = new EmbeddedRedisServer(dataDir.resolve("redis"), 0, true).start();
        app = new SpringApplicationBuilder(WriteApiApplication.class)
                .properties(ServiceDefaults.of("write-api", 0))
                .run(
                        "--server.port=0",
                        "--spring.datasource.url=" + postgres.jdbcUrl(),
                        "--spring.datasource.username=" + postgres.username(),
                        "--spring.data.redis.url=" + redis.url(),
                        "--pollster.embedded.enabled=false",
                        "--pollster.identity.anonymous-secret=" + TestServers.ANONYMOUS_SECRET);
        jdbc = app.getBean(JdbcClient.class);
        base = "http://localhost:" + app.getEnvironment().getProperty("local.server.port");
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        redis.stop();
        postgres.stop();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "title    | Best\\u0000editor?  | Pick one           | vim        | title",
                "question | Best editor?       | Pick\\u0000one      | vim        | questions[0].text",
                "choice   | Best editor?       | Pick one           | v\\u0001im  | questions[0].choices[0]",
                "escape   | Best\\u001beditor   | Pick one           | vim        | title",
                "c1       | Best\\u0085editor   | Pick one           | vim        | title"
            })
    void aControlCharacterInAnyTextIs400ValidationAndWritesNothing(
            String where, String title, String question, String choice, String field) throws Exception {
        UUID creator = UUID.randomUUID();
        String body = "{\"title\":\"" + title + "\",\"questions\":[{\"text\":\"" + question + "\",\"choices\":[\""
                + choice + "\",\"emacs\"]}]}";

        HttpResponse<String> response = post("/api/polls", creator, body);

        assertThat(response.statusCode()).as(where).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(response);
        assertThat(problem.path("type").asString()).isEqualTo(PROBLEMS + "validation");
        assertThat(problem.path("errors").get(0).path("field").asString()).isEqualTo(field);
        assertThat(pollsOf(creator)).isZero();
    }

    @Test
    void aNulInTheDescriptionIs400ValidationAndWritesNothing() throws Exception {
        UUID creator = UUID.randomUUID();
        String body = "{\"title\":\"Fine\",\"description\":\"a\\u0000b\","
                + "\"questions\":[{\"text\":\"Pick one\",\"choices\":[\"a\",\"b\"]}]}";

        HttpResponse<String> response = post("/api/polls", creator, body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("errors").get(0).path("field").asString())
                .isEqualTo("description");
        assertThat(pollsOf(creator)).isZero();
    }

    @Test
    void redisOutOfReachIs503UnavailableWithRetryAfter() throws Exception {
        JsonNode poll = createPoll();
        String vote = voteBody(poll);
        ProcessHandle redisServer = ProcessHandle.of(redis.pid()).orElseThrow();
        redisServer.destroyForcibly();
        redisServer.onExit().join();
        try {
            HttpResponse<String> response = post(votesPath(poll), UUID.randomUUID(), vote);

            assertUnavailable(response, "Redis");
        } finally {
            redis.start();
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> post(votesPath(poll), UUID.randomUUID(), vote).statusCode() == 202);
    }

    @Test
    void postgresOutOfReachIs503UnavailableWithRetryAfter() throws Exception {
        ProcessHandle postmaster = ProcessHandle.of(postgres.pid()).orElseThrow();
        postmaster.destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> !postgres.isRunning());
        try {
            UUID creator = UUID.randomUUID();
            HttpResponse<String> response = post("/api/polls", creator, pollBody());

            assertUnavailable(response, "PostgreSQL");
        } finally {
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> postgres.start()
                    .isRunning());
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> post("/api/polls", UUID.randomUUID(), pollBody()).statusCode() == 201);
    }

    private static void assertUnavailable(HttpResponse<String> response, String store) {
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After"))
                .hasValueSatisfying(
                        seconds -> assertThat(Integer.parseInt(seconds)).isPositive());
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = PollsterJson.mapper().readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo(PROBLEMS + "unavailable");
        assertThat(problem.path("status").asInt()).isEqualTo(503);
        assertThat(problem.path("title").asString()).isEqualTo("Service unavailable");
        assertThat(problem.path("detail").asString()).contains(store);
    }

    private JsonNode createPoll() throws Exception {
        HttpResponse<String> created = post("/api/polls", UUID.randomUUID(), pollBody());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json(created);
    }

    private static String pollBody() {
        return "{\"title\":\"Best editor?\",\"questions\":[{\"text\":\"Pick one\",\"choices\":[\"vim\",\"emacs\"]}]}";
    }

    private static String votesPath(JsonNode poll) {
        return "/api/polls/" + poll.path("poll_id").asString() + "/votes";
    }

    private static String voteBody(JsonNode poll) {
        JsonNode question = poll.path("questions").get(0);
        return "{\"answers\":[{\"question_id\":\""
                + question.path("question_id").asString() + "\",\"choice_id\":\""
                + question.path("choices").get(0).path("choice_id").asString() + "\"}]}";
    }

    private long pollsOf(UUID creator) {
        return jdbc.sql("SELECT count(*) FROM polls WHERE creator_id = ?")
                .param(creator)
                .query(Long.class)
                .single();
    }

    private HttpResponse<String> post(String path, UUID user, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .header("X-User-Id", user.toString())
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return PollsterJson.mapper().readTree(response.body());
    }
}
