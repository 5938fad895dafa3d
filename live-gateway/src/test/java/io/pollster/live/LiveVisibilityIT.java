package io.pollster.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.identity.VoterIds;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.testing.PollsterIntegrationTest;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * {@code results_visibility} on live connections, over WebSocket and SSE: a viewer who may not see counts
 * gets the hidden shape on every message (asserted on each one received), the creator always gets counts,
 * the closing message carries them to everyone, and an {@code after_vote} viewer starts getting them on
 * the open connection once its vote is accepted (its voter id in the poll's Redis voter set, as the vote
 * script leaves it), in {@code user}, {@code device} and {@code ip} polls.
 */
@PollsterIntegrationTest(classes = LiveGatewayApplication.class, properties = "pollster.live.visibility-refresh=200ms")
class LiveVisibilityIT {

    private static final Duration WITHIN = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> connections = new ArrayList<>();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Shards shards;

    @Autowired
    VoterIds voterIds;

    private TestPolls polls;

    @BeforeAll
    static void migrate() {
        TestPolls.migrateSchema();
    }

    @BeforeEach
    void setUp() {
        polls = new TestPolls(jdbc, redis);
    }

    @AfterEach
    void disconnect() throws Exception {
        for (AutoCloseable connection : connections) {
            connection.close();
        }
    }

    @Test
    void alwaysShowsCountsToEveryViewer() throws Exception {
        TestPolls.Poll poll = polls.create(1, 2, "user", "always");
        List<Live> viewers = List.of(webSocket(poll, "", Map.of()), sse(poll, "", Map.of()));

        vote(poll, 1);

        for (Live viewer : viewers) {
            assertThat(viewer.messages()).allMatch(LiveVisibilityIT::full);
        }
    }

    @Test
    void afterCloseHidesCountsFromAllButTheCreatorUntilTheClosingMessageCarriesThem() throws Exception {
        TestPolls.Poll poll = polls.create(2, 2, "user", "after_close");
        Map<String, String> creator = Map.of("X-User-Id", poll.creatorId().toString());
        Map<String, String> someone = Map.of("X-User-Id", UUID.randomUUID().toString());
        List<Live> hidden = List.of(
                webSocket(poll, "", Map.of()),
                webSocket(poll, "", someone),
                sse(poll, "", Map.of()),
                sse(poll, "", someone));
        List<Live> creators = List.of(webSocket(poll, "", creator), sse(poll, "", creator));

        vote(poll, 1);
        vote(poll, 2);
        vote(poll, 3);

        polls.close(poll);
        polls.publish(poll, true);
        List<Live> everyone = new ArrayList<>(hidden);
        everyone.addAll(creators);
        await("the closing message").atMost(WITHIN).until(() -> everyone.stream()
                .allMatch(viewer -> !viewer.messages().isEmpty()
                        && last(viewer).get("closed").asBoolean()));
        for (Live viewer : hidden) {
            List<JsonNode> messages = viewer.messages();
            assertThat(messages.subList(0, messages.size() - 1))
                    .as("before the close, every message is hidden")
                    .isNotEmpty()
                    .allMatch(LiveVisibilityIT::hiddenShape);
            assertClosingMessageHasTheCounts(poll, last(viewer));
        }
        for (Live viewer : creators) {
            assertThat(viewer.messages()).as("the creator always sees counts").allMatch(LiveVisibilityIT::full);
            assertThat(viewer.messages().stream().map(m -> m.get("version").asLong()))
                    .contains(1L, 2L, 3L);
            assertClosingMessageHasTheCounts(poll, last(viewer));
        }
    }

    @Test
    void afterVoteShowsAUserCountsFromTheirVoteOnOverTheOpenConnection() throws Exception {
        TestPolls.Poll poll = polls.create(2, 2, "user", "after_vote");
        UUID voter = UUID.randomUUID();
        Map<String, String> asVoter = Map.of("X-User-Id", voter.toString());
        Map<String, String> asOther = Map.of("X-User-Id", UUID.randomUUID().toString());

        assertRevealedToTheVoterOnly(
                poll,
                voter,
                List.of(webSocket(poll, "", asVoter), sse(poll, "", asVoter)),
                List.of(webSocket(poll, "", asOther), sse(poll, "", asOther), webSocket(poll, "", Map.of())));
    }

    @Test
    void afterVoteShowsADeviceCountsFromItsVoteOnByHeaderOrQueryParameter() throws Exception {
        TestPolls.Poll poll = polls.create(1, 3, "device", "after_vote");
        UUID device = UUID.randomUUID();
        String other = UUID.randomUUID().toString();

        assertRevealedToTheVoterOnly(
                poll,
                voterIds.ofDevice(device),
                List.of(
                        webSocket(poll, "?device_id=" + device, Map.of()),
                        sse(poll, "", Map.of(VoterIds.DEVICE_HEADER, device.toString()))),
                List.of(
                        webSocket(poll, "?device_id=" + other, Map.of()),
                        sse(poll, "", Map.of(VoterIds.DEVICE_HEADER, other)),
                        sse(poll, "?device_id=not-a-uuid", Map.of())));
    }

    @Test
    void afterVoteShowsAnAddressCountsFromItsVoteOnAsTheTrustedProxyReportsIt() throws Exception {
        TestPolls.Poll poll = polls.create(1, 2, "ip", "after_vote");
        String address = "198.51.100.23";
        Map<String, String> fromVoter = Map.of("X-Forwarded-For", address);
        Map<String, String> fromOther = Map.of("X-Forwarded-For", "198.51.100.24");

        assertRevealedToTheVoterOnly(
                poll,
                voterIds.ofAddress(address).orElseThrow(),
                List.of(webSocket(poll, "", fromVoter), sse(poll, "", fromVoter)),
                List.of(webSocket(poll, "", fromOther), sse(poll, "", fromOther)));
    }

    /**
     * Two votes by others, then {@code voter}'s, then one more: the voter's connections get the hidden shape
     * until their vote is counted and every message in full after it, without reconnecting; the others get
     * the hidden shape on every message.
     */
    private void assertRevealedToTheVoterOnly(TestPolls.Poll poll, UUID voter, List<Live> voters, List<Live> others)
            throws Exception {
        vote(poll, 1);
        vote(poll, 2);
        List<Live> everyone = new ArrayList<>(voters);
        everyone.addAll(others);
        for (Live viewer : everyone) {
            assertThat(viewer.messages()).allMatch(LiveVisibilityIT::hiddenShape);
        }

        // what each connection had before the vote was accepted: all hidden, as checked above
        List<Integer> beforeTheVote =
                voters.stream().map(viewer -> viewer.messages().size()).toList();
        polls.count(poll, poll.choice(0, 0));
        redis.opsForSet()
                .add(
                        RedisKeys.voters(
                                shards.of(poll.pollId()),
                                poll.layout().keySet().iterator().next()),
                        voter.toString());
        polls.publish(poll, false);
        await("the voter gets counts on the open connection").atMost(WITHIN).until(() -> voters.stream()
                .allMatch(viewer -> !viewer.messages().isEmpty() && full(last(viewer))));
        vote(poll, 4);

        for (int i = 0; i < voters.size(); i++) {
            List<JsonNode> messages = voters.get(i).messages();
            int firstFull = indexOf(messages, LiveVisibilityIT::full);
            assertThat(firstFull)
                    .as("no counts before the vote was accepted")
                    .isGreaterThanOrEqualTo(beforeTheVote.get(i));
            assertThat(messages.subList(0, firstFull)).allMatch(LiveVisibilityIT::hiddenShape);
            assertThat(messages.subList(firstFull, messages.size()))
                    .as("once shown, counts stay")
                    .allMatch(LiveVisibilityIT::full);
            assertThat(last(voters.get(i)).get("version").asLong()).isEqualTo(4);
        }
        for (Live viewer : others) {
            assertThat(viewer.messages()).isNotEmpty().allMatch(LiveVisibilityIT::hiddenShape);
        }
    }

    /**
     * One counted vote (the projector's part), published; waits until every open connection has it. A
     * connection here is never re-opened, so a viewer shown counts after hidden ones was shown them on the
     * connection it had open.
     */
    private void vote(TestPolls.Poll poll, long expectedVersion) {
        polls.count(poll, poll.choice(0, 1));
        polls.publish(poll, false);
        await("version " + expectedVersion + " everywhere").atMost(WITHIN).until(() -> connections.stream()
                .map(Live.class::cast)
                .filter(viewer -> viewer.poll().equals(poll.pollId()))
                .allMatch(viewer -> !viewer.messages().isEmpty()
                        && last(viewer).get("version").asLong() == expectedVersion));
    }

    private void assertClosingMessageHasTheCounts(TestPolls.Poll poll, JsonNode closing) {
        assertThat(full(closing)).as("the closing message has full counts").isTrue();
        JsonNode expected =
                PollsterJson.mapper().readTree(polls.message(poll, true).toJson());
        assertThat(closing.get("questions")).isEqualTo(expected.get("questions"));
        assertThat(closing.get("total_votes")).isEqualTo(expected.get("total_votes"));
    }

    /** docs/api.md's hidden shape: {@code results_hidden}, {@code total_votes}, no {@code questions}. */
    private static boolean hiddenShape(JsonNode message) {
        return message.path("results_hidden").asBoolean(false)
                && !message.has("questions")
                && message.has("total_votes")
                && message.has("poll_id")
                && message.has("version")
                && message.has("viewers")
                && "results".equals(message.path("type").asString());
    }

    private static boolean full(JsonNode message) {
        return message.has("questions") && !message.has("results_hidden") && message.has("viewers");
    }

    private static JsonNode last(Live viewer) {
        List<JsonNode> messages = viewer.messages();
        return messages.get(messages.size() - 1);
    }

    private static int indexOf(List<JsonNode> messages, Predicate<JsonNode> test) {
        for (int i = 0; i < messages.size(); i++) {
            if (test.test(messages.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such message in " + messages);
    }

    private Live webSocket(TestPolls.Poll poll, String query, Map<String, String> headers) throws Exception {
        ViewerClient client = new ViewerClient();
        var builder = http.newWebSocketBuilder();
        headers.forEach(builder::header);
        client.socket = builder.buildAsync(
                        URI.create("ws://localhost:" + port + "/ws/polls/" + poll.pollId() + query), client)
                .get(30, TimeUnit.SECONDS);
        Live live = new Live() {
            @Override
            public UUID poll() {
                return poll.pollId();
            }

            @Override
            public List<JsonNode> messages() {
                return client.json;
            }

            @Override
            public void close() {
                client.socket.abort();
            }
        };
        connections.add(live);
        await().atMost(WITHIN).until(() -> !client.json.isEmpty());
        return live;
    }

    private Live sse(TestPolls.Poll poll, String query, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/sse/polls/" + poll.slug() + query))
                .header("Accept", "text/event-stream");
        headers.forEach(request::header);
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> messages = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("data: ")) {
                        messages.add(PollsterJson.mapper().readTree(line.substring("data: ".length())));
                    }
                }
            } catch (java.io.IOException closed) {
                // the test closed the stream
            }
        });
        reader.setDaemon(true);
        reader.start();
        Live live = new Live() {
            @Override
            public UUID poll() {
                return poll.pollId();
            }

            @Override
            public List<JsonNode> messages() {
                return messages;
            }

            @Override
            public void close() throws Exception {
                response.body().close();
            }
        };
        connections.add(live);
        await().atMost(WITHIN).until(() -> !messages.isEmpty());
        return live;
    }

    /** One live connection and every message it received, in order. */
    private interface Live extends AutoCloseable {

        UUID poll();

        List<JsonNode> messages();
    }
}
