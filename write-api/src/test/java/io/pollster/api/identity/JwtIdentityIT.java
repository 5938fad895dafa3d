package io.pollster.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jwt.JWTClaimsSet;
import io.pollster.api.vote.TestPolls;
import io.pollster.core.identity.DevelopmentTokens;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.testing.PollsterIntegrationTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * {@code pollster.identity.mode=jwt} on write-api (docs/api.md "Identity"): only a token signed with the
 * configured key, unexpired, with a UUID {@code sub}, is a user; anything else is 401 {@code
 * unauthenticated} and writes nothing, in PostgreSQL or Redis.
 */
@PollsterIntegrationTest(
        properties = {"pollster.identity.mode=jwt", "pollster.identity.jwt.secret=" + JwtIdentityIT.SECRET})
class JwtIdentityIT {

    static final String SECRET = "jwt-identity-it-secret-of-at-least-32-bytes";
    private static final String OTHER_SECRET = "another-secret-that-is-also-32-bytes-long!";
    private static final String POLL =
            """
            {"title": "Best editor?", "questions": [{"text": "Pick one", "choices": ["vim", "emacs"]}]}
            """;

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Shards shards;

    private PollDefinition poll;
    private UUID user;

    @BeforeEach
    void openPoll() {
        poll = new TestPolls(jdbc).open(1, 2);
        user = UUID.randomUUID();
    }

    @Test
    void aValidTokenCreatesVotesAndClosesAsItsSubject() throws Exception {
        String token = DevelopmentTokens.mint(SECRET, user, Duration.ofMinutes(5));
        UUID someoneElse = UUID.randomUUID();

        // X-User-Id is ignored in jwt mode, even beside a valid token
        Answer created = send(post("/api/polls", POLL)
                .header("Authorization", "Bearer " + token)
                .header("X-User-Id", someoneElse.toString()));
        assertThat(created.status).as(created.body).isEqualTo(201);
        assertThat(created.json().get("creator_id").asString()).isEqualTo(user.toString());
        String pollId = created.json().get("poll_id").asString();
        assertThat(pollsOf(someoneElse)).isZero();

        Answer voted = send(
                post("/api/polls/" + poll.pollId() + "/votes", vote(poll)).header("Authorization", "Bearer " + token));
        assertThat(voted.status).as(voted.body).isEqualTo(202);
        assertThat(redis.opsForSet().isMember(voters(poll), user.toString())).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> responsesOf(user) == 1);

        Answer closedByOther = send(post("/api/polls/" + pollId + "/close", null)
                .header(
                        "Authorization",
                        "Bearer " + DevelopmentTokens.mint(SECRET, someoneElse, Duration.ofMinutes(5))));
        assertProblem(closedByOther, 403, "not-poll-owner");
        Answer closed = send(post("/api/polls/" + pollId + "/close", null).header("Authorization", "Bearer " + token));
        assertThat(closed.status).as(closed.body).isEqualTo(200);
        assertThat(closed.json().get("closed_at").isNull()).isFalse();
    }

    @Test
    void publicReadsNeedNoToken() throws Exception {
        assertThat(send(get("/api/polls/" + poll.pollId())).status).isEqualTo(200);
        assertThat(send(get("/api/polls/" + poll.pollId() + "/results")).status).isEqualTo(200);
    }

    @Test
    void aForgedUserIdHeaderAloneIs401AndWritesNothing() throws Exception {
        assertRefusedEverywhere(request -> request.header("X-User-Id", user.toString()), "bearer token is required");
    }

    @Test
    void anUnsignedTokenIs401AndWritesNothing() throws Exception {
        String unsigned = base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "."
                + base64Url("{\"sub\":\"" + user + "\",\"exp\":"
                        + Instant.now().plusSeconds(600).getEpochSecond() + "}")
                + ".";
        assertRefusedEverywhere(request -> request.header("Authorization", "Bearer " + unsigned), null);
    }

    @Test
    void anExpiredTokenIs401AndWritesNothing() throws Exception {
        String expired = DevelopmentTokens.sign(
                SECRET,
                new JWTClaimsSet.Builder()
                        .subject(user.toString())
                        .issueTime(Date.from(Instant.now().minusSeconds(7200)))
                        .expirationTime(Date.from(Instant.now().minusSeconds(3600)))
                        .build());
        assertRefusedEverywhere(request -> request.header("Authorization", "Bearer " + expired), "expired");
    }

    @Test
    void aTokenSignedWithAnotherKeyIs401AndWritesNothing() throws Exception {
        String forged = DevelopmentTokens.mint(OTHER_SECRET, user, Duration.ofMinutes(5));
        assertRefusedEverywhere(request -> request.header("Authorization", "Bearer " + forged), null);
    }

    @Test
    void aTokenWithoutExpiryOrWithANonUuidSubjectIs401() throws Exception {
        String noExpiry = DevelopmentTokens.sign(
                SECRET, new JWTClaimsSet.Builder().subject(user.toString()).build());
        assertRefusedEverywhere(request -> request.header("Authorization", "Bearer " + noExpiry), "exp");
        String notAUuid = DevelopmentTokens.sign(
                SECRET,
                new JWTClaimsSet.Builder()
                        .subject("alice")
                        .expirationTime(Date.from(Instant.now().plusSeconds(600)))
                        .build());
        Answer answer = send(post("/api/polls", POLL).header("Authorization", "Bearer " + notAUuid));
        assertProblem(answer, 401, "unauthenticated");
        assertThat(answer.body).contains("UUID");
    }

    @Test
    void aBadTokenIsRefusedEvenOnPublicReads() throws Exception {
        Answer answer =
                send(get("/api/polls/" + poll.pollId() + "/results").header("Authorization", "Bearer nonsense"));
        assertProblem(answer, 401, "unauthenticated");
        assertThat(answer.headers.firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }

    /** Poll creation, a vote and a close with these credentials: each 401, and nothing written. */
    private void assertRefusedEverywhere(
            java.util.function.UnaryOperator<HttpRequest.Builder> credentials, String detail) throws Exception {
        Answer create = send(credentials.apply(post("/api/polls", POLL)));
        assertProblem(create, 401, "unauthenticated");
        if (detail != null) {
            assertThat(create.json().get("detail").asString()).containsIgnoringCase(detail);
        }
        assertThat(pollsOf(user)).isZero();

        Answer vote = send(credentials.apply(post("/api/polls/" + poll.pollId() + "/votes", vote(poll))));
        assertProblem(vote, 401, "unauthenticated");
        assertThat(redis.opsForSet().size(voters(poll))).isZero();
        assertThat(redis.hasKey(RedisKeys.voteStream(shards.of(poll.pollId()))) ? streamEntriesOf(poll) : 0)
                .isZero();

        Answer close = send(credentials.apply(post("/api/polls/" + poll.pollId() + "/close", null)));
        assertProblem(close, 401, "unauthenticated");
        assertThat(jdbc.sql("SELECT closed_at IS NULL FROM polls WHERE poll_id = ?")
                        .param(poll.pollId())
                        .query(Boolean.class)
                        .single())
                .isTrue();
        assertThat(responsesOf(user)).isZero();
    }

    private long streamEntriesOf(PollDefinition poll) {
        return redis
                .opsForStream()
                .range(
                        RedisKeys.voteStream(shards.of(poll.pollId())),
                        org.springframework.data.domain.Range.unbounded())
                .stream()
                .filter(entry ->
                        poll.pollId().toString().equals(entry.getValue().get("poll_id")))
                .count();
    }

    private String voters(PollDefinition poll) {
        return RedisKeys.voters(
                shards.of(poll.pollId()), poll.questions().get(0).questionId());
    }

    private static String vote(PollDefinition poll) {
        PollDefinition.Question question = poll.questions().get(0);
        return "{\"answers\":[{\"question_id\":\"" + question.questionId() + "\",\"choice_id\":\""
                + question.choices().get(0).choiceId() + "\"}]}";
    }

    private long pollsOf(UUID creator) {
        return jdbc.sql("SELECT count(*) FROM polls WHERE creator_id = ?")
                .param(creator)
                .query(Long.class)
                .single();
    }

    private long responsesOf(UUID voter) {
        return jdbc.sql("SELECT count(*) FROM responses WHERE user_id = ?")
                .param(voter)
                .query(Long.class)
                .single();
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertProblem(Answer answer, int status, String slug) {
        assertThat(answer.status).as(answer.body).isEqualTo(status);
        assertThat(answer.headers.firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = answer.json();
        assertThat(problem.get("type").asString()).isEqualTo("https://pollster.io/problems/" + slug);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).isNotBlank();
        assertThat(problem.get("instance").asString()).startsWith("/api/");
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .GET();
    }

    private HttpRequest.Builder post(String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        return json == null
                ? request.POST(HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers(), response.body());
    }

    private record Answer(int status, java.net.http.HttpHeaders headers, String body) {
        JsonNode json() {
            return PollsterJson.mapper().readTree(body);
        }
    }
}
