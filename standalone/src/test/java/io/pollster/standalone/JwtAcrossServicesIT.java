package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jwt.JWTClaimsSet;
import io.pollster.core.identity.DevelopmentTokens;
import io.pollster.core.json.ProblemType;
import io.pollster.testing.PollsterIntegrationTest;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * jwt mode on every service at once (write-api, live-gateway, jobs in one JVM): one token works on REST,
 * on the WebSocket and SSE as {@code access_token}, and on the notifications inbox; a forged {@code
 * X-User-Id} or a bad token is 401 everywhere, with the same problem title whichever service answers.
 */
@PollsterIntegrationTest(
        classes = PollsterApplication.class,
        properties = {"pollster.identity.mode=jwt", "pollster.identity.jwt.secret=" + JwtAcrossServicesIT.SECRET})
class JwtAcrossServicesIT {

    static final String SECRET = "jwt-across-services-it-secret-32-bytes+";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Test
    void oneTokenWorksOnRestWebSocketSseAndNotifications() throws Exception {
        UUID creator = UUID.randomUUID();
        String token = DevelopmentTokens.mint(SECRET, creator, Duration.ofMinutes(10));
        HttpResponse<String> created = send(post(
                "/api/polls",
                token,
                "{\"title\":\"Tokens?\",\"questions\":[{\"text\":\"Pick\",\"choices\":[\"yes\",\"no\"]}]}"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode poll = JSON.readTree(created.body());
        String pollId = poll.path("poll_id").asString();
        assertThat(poll.path("creator_id").asString()).isEqualTo(creator.toString());

        List<String> frames = new CopyOnWriteArrayList<>();
        WebSocket socket = http.newWebSocketBuilder()
                .buildAsync(
                        URI.create("ws://localhost:" + port + "/ws/polls/" + pollId + "?access_token=" + token),
                        new WebSocket.Listener() {
                            private final StringBuilder frame = new StringBuilder();

                            @Override
                            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                                frame.append(data);
                                if (last) {
                                    frames.add(frame.toString());
                                    frame.setLength(0);
                                }
                                ws.request(1);
                                return null;
                            }
                        })
                .join();
        await().atMost(Duration.ofSeconds(20)).until(() -> !frames.isEmpty());
        assertThat(JSON.readTree(frames.get(0)).path("poll_id").asString()).isEqualTo(pollId);
        socket.abort();

        HttpResponse<InputStream> sse = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://localhost:" + port + "/sse/polls/" + pollId + "?access_token=" + token))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(sse.statusCode()).isEqualTo(200);
        try (BufferedReader events = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
            assertThat(events.readLine()).isEqualTo("event: results");
        }

        String questionId = poll.path("questions").get(0).path("question_id").asString();
        String choiceId = poll.path("questions")
                .get(0)
                .path("choices")
                .get(0)
                .path("choice_id")
                .asString();
        HttpResponse<String> voted = send(post(
                "/api/polls/" + pollId + "/votes",
                token,
                "{\"answers\":[{\"question_id\":\"" + questionId + "\",\"choice_id\":\"" + choiceId + "\"}]}"));
        assertThat(voted.statusCode()).as(voted.body()).isEqualTo(202);

        HttpResponse<String> inbox =
                send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/notifications"))
                        .header("Authorization", "Bearer " + token));
        assertThat(inbox.statusCode()).as(inbox.body()).isEqualTo(200);
        assertThat(JSON.readTree(inbox.body()).path("items").isArray()).isTrue();

        HttpResponse<String> closed = send(post("/api/polls/" + pollId + "/close", token, null));
        assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
    }

    @Test
    void aBadTokenIsRefusedOnTheWebSocketAndSseHandshakes() throws Exception {
        String expired = DevelopmentTokens.sign(
                SECRET,
                new JWTClaimsSet.Builder()
                        .subject(UUID.randomUUID().toString())
                        .expirationTime(Date.from(Instant.now().minusSeconds(600)))
                        .build());
        String path = "/polls/" + UUID.randomUUID() + "?access_token=" + expired;

        assertThatThrownBy(() -> http.newWebSocketBuilder()
                        .buildAsync(URI.create("ws://localhost:" + port + "/ws" + path), new WebSocket.Listener() {})
                        .join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(WebSocketHandshakeException.class, refused -> assertThat(
                                refused.getResponse().statusCode())
                        .isEqualTo(401));
        assertUnauthenticated(send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/sse" + path))));
    }

    @Test
    void aForgedUserIdIsRefusedByEveryServiceWithTheSameTitle() throws Exception {
        String forged = UUID.randomUUID().toString();
        HttpResponse<String> writeApi = send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/polls"))
                .header("X-User-Id", forged)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"title\":\"Forged\",\"questions\":[{\"text\":\"Pick\",\"choices\":[\"a\",\"b\"]}]}")));
        HttpResponse<String> jobs =
                send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/notifications"))
                        .header("X-User-Id", forged));

        assertUnauthenticated(writeApi);
        assertUnauthenticated(jobs);
    }

    @Test
    void notFoundHasOneTitleInWriteApiAndTheGateway() throws Exception {
        HttpResponse<String> writeApi =
                send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/polls/no-such-poll")));
        HttpResponse<String> sse =
                send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/sse/polls/no-such-poll")));

        for (HttpResponse<String> answer : List.of(writeApi, sse)) {
            assertThat(answer.statusCode()).isEqualTo(404);
            JsonNode problem = JSON.readTree(answer.body());
            assertThat(problem.path("type").asString())
                    .isEqualTo(ProblemType.NOT_FOUND.uri().toString());
            assertThat(problem.path("title").asString()).isEqualTo(ProblemType.NOT_FOUND.title());
        }
    }

    @Test
    void healthDetailsGoOnlyToAnOperatorsToken() throws Exception {
        HttpResponse<String> anyone =
                send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health")));
        String userToken = DevelopmentTokens.mint(SECRET, UUID.randomUUID(), Duration.ofMinutes(5));
        HttpResponse<String> user =
                send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                        .header("Authorization", "Bearer " + userToken));
        String operatorToken = DevelopmentTokens.sign(
                SECRET,
                new JWTClaimsSet.Builder()
                        .subject(UUID.randomUUID().toString())
                        .claim("scope", "operations")
                        .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                        .build());
        HttpResponse<String> operator =
                send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                        .header("Authorization", "Bearer " + operatorToken));

        assertThat(JSON.readTree(anyone.body()).path("status").asString()).isEqualTo("UP");
        assertThat(JSON.readTree(anyone.body()).has("components"))
                .as(anyone.body())
                .isFalse();
        assertThat(JSON.readTree(user.body()).has("components")).as(user.body()).isFalse();
        assertThat(JSON.readTree(operator.body())
                        .path("components")
                        .path("db")
                        .path("status")
                        .asString())
                .as(operator.body())
                .isEqualTo("UP");
        assertThat(send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/readiness")))
                        .statusCode())
                .isEqualTo(200);
    }

    private static void assertUnauthenticated(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(401);
        assertThat(answer.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(answer.body());
        assertThat(problem.path("type").asString())
                .isEqualTo(ProblemType.UNAUTHENTICATED.uri().toString());
        assertThat(problem.path("title").asString()).isEqualTo(ProblemType.UNAUTHENTICATED.title());
    }

    private HttpRequest.Builder post(String path, String token, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + token);
        return json == null
                ? request.POST(HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
