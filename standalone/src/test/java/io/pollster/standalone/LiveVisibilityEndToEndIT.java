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
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An {@code after_vote} poll watched live while real votes go the whole way (POST /votes → stream →
 * PostgreSQL → WAL → projector → gateway): a viewer's connection gets the hidden shape on every message
 * until that viewer's own vote is accepted, then counts on the same connection; another viewer's stays
 * hidden; the creator's has counts throughout; the closing message has them for everyone.
 */
@PollsterIntegrationTest(classes = PollsterApplication.class)
class LiveVisibilityEndToEndIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WITHIN = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Test
    void aViewerWhoVotesGetsCountsOnTheOpenConnectionAndNobodyElseBeforeTheClose() throws Exception {
        UUID creator = UUID.randomUUID();
        JsonNode poll = post(
                "/api/polls",
                creator,
                "{\"title\":\"Hidden until you vote\",\"results_visibility\":\"after_vote\","
                        + "\"questions\":[{\"text\":\"Pick\",\"choices\":[\"a\",\"b\"]}]}",
                201);
        String pollId = poll.path("poll_id").asString();
        String answer = "{\"answers\":[{\"question_id\":\""
                + poll.path("questions").get(0).path("question_id").asString() + "\",\"choice_id\":\""
                + poll.path("questions")
                        .get(0)
                        .path("choices")
                        .get(1)
                        .path("choice_id")
                        .asString() + "\"}]}";
        UUID voter = UUID.randomUUID();
        List<JsonNode> voterSees = watch(pollId, voter);
        List<JsonNode> otherSees = watch(pollId, UUID.randomUUID());
        List<JsonNode> creatorSees = watch(pollId, creator);
        List<List<JsonNode>> everyone = List.of(voterSees, otherSees, creatorSees);

        for (int i = 0; i < 3; i++) {
            post("/api/polls/" + pollId + "/votes", UUID.randomUUID(), answer, 202);
        }
        await("three votes everywhere").atMost(WITHIN).until(() -> everyone.stream()
                .allMatch(seen -> last(seen).path("total_votes").asLong() == 3));
        assertThat(voterSees).allMatch(LiveVisibilityEndToEndIT::hidden);
        int beforeTheVote = voterSees.size();

        post("/api/polls/" + pollId + "/votes", voter, answer, 202);

        await("the voter's own vote shows them the counts")
                .atMost(WITHIN)
                .until(() ->
                        full(last(voterSees)) && last(voterSees).path("version").asLong() == 4);
        assertThat(voterSees.subList(0, beforeTheVote)).allMatch(LiveVisibilityEndToEndIT::hidden);
        int firstFull = beforeTheVote;
        while (!full(voterSees.get(firstFull))) {
            assertThat(hidden(voterSees.get(firstFull))).isTrue();
            firstFull++;
        }
        assertThat(voterSees.subList(firstFull, voterSees.size())).allMatch(LiveVisibilityEndToEndIT::full);
        await().atMost(WITHIN).until(() -> last(otherSees).path("total_votes").asLong() == 4);
        assertThat(otherSees).as("another viewer never sees a count").allMatch(LiveVisibilityEndToEndIT::hidden);
        assertThat(creatorSees).as("the creator always does").allMatch(LiveVisibilityEndToEndIT::full);

        post("/api/polls/" + pollId + "/close", creator, "", 200);
        await("the closing message").atMost(WITHIN).until(() -> everyone.stream()
                .allMatch(seen -> last(seen).path("closed").asBoolean()));
        for (List<JsonNode> seen : everyone) {
            JsonNode closing = last(seen);
            assertThat(full(closing)).as("the closing message has the counts").isTrue();
            assertThat(closing.path("questions")
                            .get(0)
                            .path("choices")
                            .get(1)
                            .path("count")
                            .asLong())
                    .isEqualTo(4);
        }
        assertThat(otherSees.subList(0, otherSees.size() - 1)).allMatch(LiveVisibilityEndToEndIT::hidden);
    }

    @Test
    void aDeviceThatVotesAnonymouslyGetsCountsOnTheConnectionItOpenedWithItsDeviceId() throws Exception {
        UUID creator = UUID.randomUUID();
        JsonNode poll = post(
                "/api/polls",
                creator,
                "{\"title\":\"Anonymous, hidden until you vote\",\"voters\":\"device\","
                        + "\"results_visibility\":\"after_vote\","
                        + "\"questions\":[{\"text\":\"Pick\",\"choices\":[\"a\",\"b\"]}]}",
                201);
        String pollId = poll.path("poll_id").asString();
        String answer = "{\"answers\":[{\"question_id\":\""
                + poll.path("questions").get(0).path("question_id").asString() + "\",\"choice_id\":\""
                + poll.path("questions")
                        .get(0)
                        .path("choices")
                        .get(0)
                        .path("choice_id")
                        .asString() + "\"}]}";
        UUID device = UUID.randomUUID();
        // as a browser does: its WebSocket cannot send X-Device-Id, so the id goes in the query
        List<JsonNode> deviceSees = watch(pollId + "?device_id=" + device, null);
        List<JsonNode> otherSees = watch(pollId + "?device_id=" + UUID.randomUUID(), null);

        voteAsDevice(pollId, UUID.randomUUID(), answer);
        voteAsDevice(pollId, UUID.randomUUID(), answer);
        await("two votes everywhere").atMost(WITHIN).until(() -> List.of(deviceSees, otherSees).stream()
                .allMatch(seen -> last(seen).path("total_votes").asLong() == 2));
        assertThat(deviceSees).allMatch(LiveVisibilityEndToEndIT::hidden);

        voteAsDevice(pollId, device, answer);

        await("the device's own vote shows it the counts")
                .atMost(WITHIN)
                .until(() -> full(last(deviceSees))
                        && last(deviceSees).path("version").asLong() == 3);
        await().atMost(WITHIN).until(() -> last(otherSees).path("total_votes").asLong() == 3);
        assertThat(otherSees).as("another device never sees a count").allMatch(LiveVisibilityEndToEndIT::hidden);
    }

    private void voteAsDevice(String pollId, UUID device, String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/polls/" + pollId + "/votes"))
                        .header("X-Device-Id", device.toString())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private static boolean hidden(JsonNode message) {
        return message.path("results_hidden").asBoolean(false) && !message.has("questions") && message.has("viewers");
    }

    private static boolean full(JsonNode message) {
        return message.has("questions") && !message.has("results_hidden") && message.has("viewers");
    }

    private static JsonNode last(List<JsonNode> seen) {
        return seen.isEmpty() ? JSON.createObjectNode() : seen.get(seen.size() - 1);
    }

    /**
     * A WebSocket viewer of {@code pollAndQuery} identified as {@code user} (null: no user); every message it
     * receives, in order.
     */
    private List<JsonNode> watch(String pollAndQuery, UUID user) {
        List<JsonNode> seen = new CopyOnWriteArrayList<>();
        WebSocket.Builder builder = http.newWebSocketBuilder();
        if (user != null) {
            builder.header("X-User-Id", user.toString());
        }
        builder.buildAsync(
                        URI.create("ws://localhost:" + port + "/ws/polls/" + pollAndQuery), new WebSocket.Listener() {
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
        await().atMost(WITHIN).until(() -> !seen.isEmpty());
        return seen;
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
}
