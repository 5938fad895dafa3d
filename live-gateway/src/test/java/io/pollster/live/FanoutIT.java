package io.pollster.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pollster.core.redis.RedisKeys;
import io.pollster.live.fanout.FanoutMetrics;
import io.pollster.live.fanout.ResultsBroadcaster;
import io.pollster.testing.PollsterIntegrationTest;
import io.pollster.testing.TestServers;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

@PollsterIntegrationTest(
        classes = LiveGatewayApplication.class,
        // short enough for the stalled viewer to be cut off quickly, long enough that healthy viewers on a
        // loaded 2-core machine are not mistaken for stuck ones
        // every update is sent (no frame-rate cap), so the stalled viewer's socket fills up and the
        // coalescing and slow-viewer paths, not the cap, are what these tests exercise
        // and a thousand viewers from one IP are let in
        properties = {
            "pollster.live.send-timeout=3s",
            "pollster.live.min-frame-interval=0ms",
            "pollster.live.max-connections-per-ip=100000"
        })
class FanoutIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private final Random random = new Random(42);

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    ResultsBroadcaster broadcaster;

    @Autowired
    FanoutMetrics metrics;

    @Autowired
    ServletWebServerApplicationContext context;

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
    void thousandViewersEachSeeNonDecreasingVersionsEndingAtTheFinalCounts() throws Exception {
        TestPolls.Poll poll = polls.create(1, 3);
        List<ViewerClient> viewers = connect(poll, 1_000);
        await().until(() -> viewers.stream().allMatch(v -> v.last() != null));
        assertThat(redisSubscribers(poll))
                .as("one Redis subscription for all viewers")
                .isEqualTo(1);

        for (int vote = 0; vote < 200; vote++) {
            polls.count(poll, poll.choice(0, random.nextInt(3)));
            polls.publish(poll, false);
        }
        polls.close(poll);
        polls.publish(poll, true);

        await().atMost(Duration.ofSeconds(30)).until(() -> viewers.stream().allMatch(v -> v.closeCode.isDone()));
        for (ViewerClient viewer : viewers) {
            assertThat(viewer.closeCode.get()).isEqualTo(1000);
            assertThat(viewer.versionsNeverDecrease()).isTrue();
            assertThat(viewer.last()).isEqualTo(polls.message(poll, true));
        }
        await().until(() -> broadcaster.viewers(poll.pollId()) == 0);
        await().until(() -> redisSubscribers(poll) == 0);
    }

    @Test
    void aViewerThatStopsReadingDoesNotHoldBackTheOthersAndIsDisconnected() throws Exception {
        // big messages (20 x 20 choices, ~25 KB each) fill a stalled peer's socket buffers quickly
        TestPolls.Poll poll = polls.create(20, 20);
        double slowBefore = metrics.disconnectedSlowCount();
        long connectionsBefore = openConnections();
        Socket stalled = stalledViewer(poll);
        List<ViewerClient> viewers = connect(poll, 20);
        await().until(() -> viewers.stream().allMatch(v -> v.last() != null));

        for (int vote = 0; vote < 500; vote++) {
            polls.count(poll, poll.choice(random.nextInt(20), random.nextInt(20)));
            polls.publish(poll, false);
        }
        polls.close(poll);
        polls.publish(poll, true);

        await().atMost(Duration.ofSeconds(30)).until(() -> viewers.stream().allMatch(v -> v.closeCode.isDone()));
        for (ViewerClient viewer : viewers) {
            assertThat(viewer.versionsNeverDecrease()).isTrue();
            assertThat(viewer.last()).isEqualTo(polls.message(poll, true));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.disconnectedSlowCount() > slowBefore);
        assertThat(metrics.coalescedCount())
                .as("the stalled viewer skipped to the latest")
                .isPositive();
        // the stalled peer still reads nothing, yet its socket is released: no connection slot, no
        // send buffer held for a viewer that was disconnected
        await().atMost(Duration.ofSeconds(10)).until(() -> openConnections() <= connectionsBefore);
        stalled.close();
    }

    @Test
    void afterARedisRestartEveryViewerCatchesUpAndEndsOnTheFinalState() throws Exception {
        assumeThat(TestServers.get().canRestart()).isTrue();
        TestPolls.Poll poll = polls.create(1, 4);
        List<ViewerClient> viewers = connect(poll, 50);
        for (int vote = 0; vote < 10; vote++) {
            polls.count(poll, poll.choice(0, random.nextInt(4)));
            polls.publish(poll, false);
        }
        await().until(() ->
                viewers.stream().allMatch(v -> v.last() != null && v.last().version() == 10));
        // counted but the message is lost, as when the projector publishes while this node resubscribes
        for (int vote = 0; vote < 5; vote++) {
            polls.count(poll, poll.choice(0, random.nextInt(4)));
        }

        TestServers.get().restartRedis();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> viewers.stream().allMatch(v -> v.last().version() == 15));
        for (int vote = 0; vote < 10; vote++) {
            retryingWhileRedisReconnects(() -> polls.count(poll, poll.choice(0, random.nextInt(4))));
            retryingWhileRedisReconnects(() -> polls.publish(poll, false));
        }
        polls.close(poll);
        retryingWhileRedisReconnects(() -> polls.publish(poll, true));
        await().atMost(Duration.ofSeconds(30)).until(() -> viewers.stream().allMatch(v -> v.closeCode.isDone()));
        for (ViewerClient viewer : viewers) {
            assertThat(viewer.versionsNeverDecrease()).isTrue();
            assertThat(viewer.last()).isEqualTo(polls.message(poll, true));
        }
    }

    private List<ViewerClient> connect(TestPolls.Poll poll, int count) throws Exception {
        URI uri = URI.create("ws://localhost:" + port + "/ws/polls/" + poll.pollId());
        List<ViewerClient> viewers = new ArrayList<>(count);
        // in batches: a thousand simultaneous handshakes would only overflow the accept backlog
        for (int start = 0; start < count; start += 100) {
            List<CompletableFuture<ViewerClient>> batch = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + 100); i++) {
                batch.add(ViewerClient.connect(http, uri));
            }
            for (CompletableFuture<ViewerClient> viewer : batch) {
                viewers.add(viewer.get(30, TimeUnit.SECONDS));
            }
        }
        return viewers;
    }

    /** A WebSocket viewer on a raw socket with a tiny receive buffer that never reads past the handshake. */
    private Socket stalledViewer(TestPolls.Poll poll) throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("localhost", port), 5_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /ws/polls/" + poll.pollId() + " HTTP/1.1\r\n"
                        + "Host: localhost:" + port + "\r\n"
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.read());
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
        return socket;
    }

    /** Connections Tomcat holds open on the server port. */
    private long openConnections() {
        TomcatWebServer server = (TomcatWebServer) context.getWebServer();
        return ((AbstractProtocol<?>) server.getTomcat().getConnector().getProtocolHandler()).getConnectionCount();
    }

    private long redisSubscribers(TestPolls.Poll poll) {
        String channel = RedisKeys.updates(poll.pollId());
        RedisClient client =
                (RedisClient) ((LettuceConnectionFactory) redis.getConnectionFactory()).getRequiredNativeClient();
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().pubsubShardNumsub(channel).getOrDefault(channel, 0L);
        }
    }

    private static void retryingWhileRedisReconnects(Runnable action) {
        await().atMost(Duration.ofSeconds(30))
                .ignoreException(DataAccessException.class)
                .until(() -> {
                    action.run();
                    return true;
                });
    }
}
