package io.pollster.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.redis.RedisKeys;
import io.pollster.embedded.FreePorts;
import io.pollster.testing.PollsterIntegrationTest;
import io.pollster.testing.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@code "viewers"} over two gateways on one Redis: this test's Spring context, and the packaged gateway
 * in a JVM of its own that the test SIGKILLs.
 */
@PollsterIntegrationTest(
        classes = LiveGatewayApplication.class,
        properties = "pollster.live.viewers-refresh=" + ViewerCountsIT.REFRESH)
class ViewerCountsIT {

    static final String REFRESH = "1s";

    /** Generous: the machine is shared; the figure is expected within one refresh, seen within this. */
    private static final Duration WITHIN = Duration.ofSeconds(60);

    private static ServiceProcess otherGateway;

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @BeforeAll
    static void startTheOtherGateway() {
        TestPolls.migrateSchema();
        String jar = System.getProperty("pollster.test.live-gateway-jar");
        assertThat(jar)
                .as("pollster.test.live-gateway-jar (set by the live-gateway POM)")
                .isNotBlank();
        otherGateway = ServiceProcess.start(
                "live-gateway-b",
                Path.of(jar),
                FreePorts.pick(),
                Path.of("target", "viewer-counts-it"),
                Map.of("pollster.live.viewers-refresh", REFRESH));
    }

    @AfterAll
    static void stopTheOtherGateway() {
        if (otherGateway != null) {
            otherGateway.close();
        }
    }

    @Test
    void viewersOnTwoGatewaysAddUpAndAKilledGatewaysShareExpires() throws Exception {
        TestPolls polls = new TestPolls(jdbc, redis);
        TestPolls.Poll poll = polls.create(1, 2);
        String viewersKey = RedisKeys.viewers(poll.pollId());
        List<ViewerClient> here = connect(3, URI.create("ws://localhost:" + port + "/ws/polls/" + poll.slug()));
        List<ViewerClient> there =
                connect(2, URI.create(otherGateway.baseUrl().replace("http:", "ws:") + "/ws/polls/" + poll.pollId()));
        List<ViewerClient> everyone = new ArrayList<>(here);
        everyone.addAll(there);

        await("all five viewers told of five").atMost(WITHIN).until(() -> allSee(everyone, 5));
        assertThat(redis.opsForHash().size(viewersKey))
                .as("one report per gateway")
                .isEqualTo(2);
        for (ViewerClient viewer : everyone) {
            assertThat(viewer.messages)
                    .as("no vote yet: every message, re-sent for a new figure, is version 0")
                    .allMatch(message -> message.version() == 0);
        }

        otherGateway.kill();

        await("the killed gateway's share expires").atMost(WITHIN).until(() -> allSee(here, 3));
        assertThat(redis.opsForHash().size(viewersKey)).isEqualTo(1);

        polls.count(poll, poll.choice(0, 1));
        polls.publish(poll, false);
        await("a new version carries the figure too").atMost(WITHIN).until(() -> here.stream()
                .allMatch(v -> v.last().version() == 1 && v.viewers() == 3));

        here.get(0).socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        await("a viewer left").atMost(WITHIN).until(() -> allSee(here.subList(1, 3), 2));

        here.get(1).socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        here.get(2).socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        await("a poll nobody watches leaves no key behind").atMost(WITHIN).until(() -> !redis.hasKey(viewersKey));
        for (ViewerClient viewer : here) {
            assertThat(viewer.versionsNeverDecrease()).isTrue();
        }
    }

    private List<ViewerClient> connect(int count, URI uri) throws Exception {
        List<ViewerClient> viewers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            viewers.add(ViewerClient.connect(http, uri).get(30, TimeUnit.SECONDS));
        }
        return viewers;
    }

    private static boolean allSee(List<ViewerClient> viewers, long figure) {
        return viewers.stream().allMatch(viewer -> viewer.viewers() == figure);
    }
}
