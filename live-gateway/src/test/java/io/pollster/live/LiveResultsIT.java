package io.pollster.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.results.ResultsMessage;
import io.pollster.live.fanout.FanoutMetrics;
import io.pollster.live.fanout.ResultsBroadcaster;
import io.pollster.testing.PollsterIntegrationTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

@PollsterIntegrationTest(classes = LiveGatewayApplication.class)
class LiveResultsIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Environment environment;

    @Autowired
    FanoutMetrics metrics;

    @Autowired
    ResultsBroadcaster broadcaster;

    private TestPolls polls;

    @BeforeAll
    static void migrate() {
        TestPolls.migrateSchema();
    }

    @BeforeEach
    void setUp() {
        polls = new TestPolls(jdbc, redis);
    }

    @Test
    void webSocketGetsSnapshotFromPostgresWhenRedisHasNoCountsThenEveryUpdate() throws Exception {
        TestPolls.Poll poll = polls.create(1, 3);
        jdbc.sql("UPDATE choice_counts SET count = 7 WHERE choice_id = ?")
                .param(poll.choice(0, 1))
                .update();
        poll.counts().put(poll.choice(0, 1), 7L);
        redis.delete(RedisKeys.counts(poll.pollId()));

        ViewerClient viewer = ViewerClient.connect(http, ws(poll.slug())).get(10, TimeUnit.SECONDS);

        await().until(() -> viewer.last() != null);
        assertThat(viewer.last()).isEqualTo(polls.message(poll, false));
        assertThat(viewer.last().type()).isEqualTo("results");

        polls.count(poll, poll.choice(0, 2));
        polls.publish(poll, false);
        await().until(() -> viewer.last().version() == 8);
        assertThat(viewer.last()).isEqualTo(polls.message(poll, false));

        polls.close(poll);
        polls.publish(poll, true);
        assertThat(viewer.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(viewer.last()).isEqualTo(polls.message(poll, true));
        assertThat(viewer.versionsNeverDecrease()).isTrue();
    }

    @Test
    void unknownPollClosesTheWebSocketWith4404() throws Exception {
        ViewerClient viewer = ViewerClient.connect(http, ws("no-such-poll")).get(10, TimeUnit.SECONDS);

        assertThat(viewer.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(4404);
        assertThat(viewer.messages).isEmpty();
    }

    @Test
    void webSocketAnswersPingsAndEndsWithTheClosingHandshakeTheClientStarts() throws Exception {
        TestPolls.Poll poll = polls.create(1, 2);
        int before = metrics.connections(true).get();
        ViewerClient viewer = new ViewerClient();
        WebSocket socket = http.newWebSocketBuilder()
                .buildAsync(ws(poll.pollId().toString()), viewer)
                .get(10, TimeUnit.SECONDS);
        await().until(() -> viewer.last() != null);
        assertThat(metrics.connections(true).get()).isEqualTo(before + 1);

        socket.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8)));
        await().until(() -> !viewer.pongs.isEmpty());
        assertThat(viewer.pongs).containsExactly("are you there");

        socket.sendClose(4000, "leaving");
        assertThat(viewer.closeCode.get(10, TimeUnit.SECONDS))
                .as("the server echoes the client's close code")
                .isEqualTo(4000);
        await().until(() -> metrics.connections(true).get() == before);
        await().until(() -> broadcaster.viewers(poll.pollId()) == 0);
    }

    @Test
    void aPlainGetOfAWebSocketPathIs400ProblemJson() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/ws/polls/anything"))
                .build();

        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertProblem(response, "malformed-request", "/ws/polls/anything");
    }

    @Test
    void sseStreamsResultsEventsEndingWithTheClosedOne() throws Exception {
        TestPolls.Poll poll = polls.create(2, 2);
        polls.count(poll, poll.choice(1, 0));
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/sse/polls/" + poll.pollId()))
                .header("Accept", "text/event-stream")
                .build();

        HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        try (BufferedReader events =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(nextEvent(events)).isEqualTo(polls.message(poll, false));
            polls.count(poll, poll.choice(0, 1));
            polls.close(poll);
            polls.publish(poll, true);
            assertThat(nextEvent(events)).isEqualTo(polls.message(poll, true));
            List<String> rest = new ArrayList<>();
            for (String line = events.readLine(); line != null; line = events.readLine()) {
                rest.add(line);
            }
            assertThat(rest)
                    .as("nothing after the final message, then the stream ends")
                    .allMatch(String::isBlank);
        }
    }

    @Test
    void sseForAnUnknownPollIs404ProblemJson() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/sse/polls/nope"))
                .header("Accept", "text/event-stream")
                .build();

        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode problem = assertProblem(response, "not-found", "/sse/polls/nope");
        assertThat(problem.get("status").asInt()).isEqualTo(404);
    }

    @Test
    void tomcatAcceptsTensOfThousandsOfConnectionsByDefault() {
        assertThat(environment.getProperty("server.tomcat.max-connections", Integer.class))
                .isEqualTo(20_000);
    }

    /** An RFC 9457 body of type {@code slug} about {@code instance}; returns it for further checks. */
    private static JsonNode assertProblem(HttpResponse<String> response, String slug, String instance)
            throws Exception {
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = PollsterJson.mapper().readTree(response.body());
        assertThat(problem.get("type").asString()).endsWith("/problems/" + slug);
        assertThat(problem.get("instance").asString()).isEqualTo(instance);
        return problem;
    }

    private static ResultsMessage nextEvent(BufferedReader events) throws Exception {
        String event = null;
        String line;
        while ((line = events.readLine()) != null) {
            if (line.startsWith("event: ")) {
                event = line.substring("event: ".length());
            } else if (line.startsWith("data: ")) {
                assertThat(event).isEqualTo("results");
                return ResultsMessage.fromJson(line.substring("data: ".length()));
            }
        }
        throw new AssertionError("stream ended");
    }

    private URI ws(String idOrSlug) {
        return URI.create("ws://localhost:" + port + "/ws/polls/" + idOrSlug);
    }
}
