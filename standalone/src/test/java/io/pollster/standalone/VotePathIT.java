package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.testing.PollsterIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The path of one vote (docs/design.md) through every module in one JVM: POST /votes → Lua + stream →
 * ingester → PostgreSQL → WAL → projector → Redis hash + pub/sub → gateway → viewer.
 */
@PollsterIntegrationTest(classes = PollsterApplication.class)
class VotePathIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aVoteTravelsFromThe202ToPostgresRedisAndALiveViewer() throws Exception {
        UUID creator = UUID.randomUUID();
        JsonNode poll = post(
                "/api/polls",
                creator,
                "{\"title\":\"Tabs or spaces?\",\"questions\":[{\"text\":\"Pick\",\"choices\":[\"tabs\",\"spaces\"]}]}",
                201);
        String pollId = poll.path("poll_id").asString();
        String questionId = poll.path("questions").get(0).path("question_id").asString();
        String spaces = poll.path("questions")
                .get(0)
                .path("choices")
                .get(1)
                .path("choice_id")
                .asString();

        List<JsonNode> seen = new CopyOnWriteArrayList<>();
        WebSocket viewer = http.newWebSocketBuilder()
                .buildAsync(
                        URI.create("ws://localhost:" + port + "/ws/polls/"
                                + poll.path("slug").asString()),
                        new WebSocket.Listener() {
                            private final StringBuilder frame = new StringBuilder();

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
                        })
                .join();
        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
        assertThat(seen.get(0).path("version").asLong()).isZero();

        int voters = 5;
        for (int i = 0; i < voters; i++) {
            JsonNode accepted = post(
                    "/api/polls/" + pollId + "/votes",
                    UUID.randomUUID(),
                    "{\"answers\":[{\"question_id\":\"" + questionId + "\",\"choice_id\":\"" + spaces + "\"}]}",
                    202);
            assertThat(accepted.path("status").asString()).isEqualTo("accepted");
        }

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(jdbc.sql("SELECT count FROM choice_counts WHERE choice_id = ?::uuid")
                                .param(spaces)
                                .query(Long.class)
                                .single())
                        .isEqualTo(voters));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get("/api/polls/" + pollId + "/results")
                        .path("total_votes")
                        .asLong())
                .isEqualTo(voters));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                        seen.get(seen.size() - 1).path("version").asLong())
                .isEqualTo(voters));
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i).path("version").asLong())
                    .as("versions never go backwards")
                    .isGreaterThanOrEqualTo(seen.get(i - 1).path("version").asLong());
        }

        post("/api/polls/" + pollId + "/close", creator, "", 200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                        seen.get(seen.size() - 1).path("closed").asBoolean())
                .isTrue());
        viewer.abort();
    }

    private JsonNode post(String path, UUID user, String body, int expectedStatus) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .header("X-User-Id", user.toString())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        return JSON.readTree(response.body());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
