package io.pollster.live;

import static io.pollster.live.ws.ClientFrames.close;
import static io.pollster.live.ws.ClientFrames.closePayload;
import static io.pollster.live.ws.ClientFrames.concat;
import static io.pollster.live.ws.ClientFrames.frame;
import static io.pollster.live.ws.ClientFrames.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.live.fanout.FanoutMetrics;
import io.pollster.testing.PollsterIntegrationTest;
import io.pollster.testing.QueryCounter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The gateway against clients that do not play by the rules: silence, broken frames, too many connections,
 * random slugs and random bytes ({@link PingFloodIT} has the ping flood). Each raw client comes through the trusted-proxy header with
 * an address of its own, so the per-IP limit only bites where a test means it to.
 */
@PollsterIntegrationTest(
        classes = LiveGatewayApplication.class,
        properties = {
            // pinged after 1 s of silence, closed 2 s after an unanswered ping
            "pollster.live.ping-interval=1s",
            "pollster.live.pong-timeout=2s",
            "pollster.live.send-timeout=15s",
            "pollster.live.max-connections-per-ip=3",
            "server.tomcat.connection-timeout=2s",
            // the random-slug flood runs well within one TTL
            "pollster.poll-catalog.negative-ttl=1h"
        })
@Import(HostileClientIT.CountPollQueries.class)
class HostileClientIT {

    /** Counts the gateway's PostgreSQL lookups of polls by slug. */
    @TestConfiguration(proxyBeanMethods = false)
    static class CountPollQueries {

        static final QueryCounter SLUG_QUERIES = new QueryCounter(sql -> sql.contains("FROM polls WHERE unique_slug"));

        @Bean
        static BeanPostProcessor countSlugQueries() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return bean instanceof DataSource dataSource ? SLUG_QUERIES.wrap(dataSource) : bean;
                }
            };
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    FanoutMetrics metrics;

    @Autowired
    MeterRegistry registry;

    private TestPolls polls;

    @BeforeAll
    static void migrate() {
        TestPolls.migrateSchema();
    }

    @BeforeEach
    void setUp() {
        polls = new TestPolls(jdbc, redis);
    }

    private static String freshIp() {
        return RawWebSocket.freshIp();
    }

    private RawWebSocket raw(TestPolls.Poll poll) throws IOException {
        return RawWebSocket.open(port, "/ws/polls/" + poll.pollId(), freshIp(), 0);
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    @Test
    void eachRfc6455ViolationClosesTheConnectionWithItsCode() throws Exception {
        TestPolls.Poll poll = polls.create(1, 2);
        Map<String, byte[]> violations = new LinkedHashMap<>();
        violations.put("1002 reserved bit", frame(true, 4, 0x1, true, "x".getBytes(StandardCharsets.UTF_8)));
        violations.put("1002 unknown opcode", frame(0x3, new byte[0]));
        violations.put("1002 unknown control opcode", frame(0xB, new byte[0]));
        violations.put("1002 fragmented ping", frame(false, 0, 0x9, true, new byte[0]));
        violations.put("1002 ping over 125 bytes", frame(0x9, new byte[126]));
        violations.put("1002 unmasked frame", frame(true, 0, 0x9, false, new byte[0]));
        violations.put("1002 one-byte close", frame(0x8, new byte[] {1}));
        violations.put("1002 close code 1005", close(1005, ""));
        violations.put("1002 close code 999", close(999, ""));
        violations.put("1002 close code 2000", close(2000, ""));
        violations.put("1002 continuation without a start", frame(true, 0, 0x0, true, new byte[1]));
        violations.put(
                "1002 new message inside a fragmented one",
                concat(frame(false, 0, 0x1, true, hex("41")), frame(true, 0, 0x1, true, hex("42"))));
        violations.put("1007 text not UTF-8", frame(0x1, hex("cebae1bdb9cf83cebcceb5eda080")));
        violations.put("1007 close reason not UTF-8", frame(0x8, closePayload(1000, hex("c0af"))));
        violations.put(
                "1007 UTF-8 split across fragments, then impossible",
                concat(frame(false, 0, 0x1, true, hex("e298")), frame(true, 0, 0x0, true, hex("41"))));
        violations.put("1009 message over 4 KiB", frame(0x2, new byte[4097]));
        violations.put(
                "1009 fragments over 4 KiB",
                concat(frame(false, 0, 0x2, true, new byte[4000]), frame(true, 0, 0x0, true, new byte[97])));
        double before = metrics.disconnectedCount("protocol-error");

        Map<String, Integer> closedWith = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> violation : violations.entrySet()) {
            try (RawWebSocket ws = raw(poll)) {
                assertThat(ws.next().opcode()).as("the current results first").isEqualTo(0x1);
                ws.send(violation.getValue());
                closedWith.put(violation.getKey(), ws.untilClose().closeCode());
            }
        }

        for (Map.Entry<String, Integer> closed : closedWith.entrySet()) {
            assertThat(closed.getValue())
                    .as(closed.getKey())
                    .isEqualTo(Integer.parseInt(closed.getKey().substring(0, 4)));
        }
        assertThat(metrics.disconnectedCount("protocol-error") - before).isEqualTo(violations.size());
    }

    @Test
    void validFramesOfEveryKindAreReadWithoutClosing() throws Exception {
        TestPolls.Poll poll = polls.create(1, 2);
        try (RawWebSocket ws = raw(poll)) {
            assertThat(ws.next().opcode()).isEqualTo(0x1);
            ws.send(concat(
                    text("☃ hello"),
                    frame(false, 0, 0x1, true, hex("e298")),
                    frame(0x9, "mid".getBytes(StandardCharsets.UTF_8)),
                    frame(true, 0, 0x0, true, hex("83")),
                    frame(0x2, new byte[4096]),
                    frame(0xA, new byte[0]),
                    frame(0x9, "last".getBytes(StandardCharsets.UTF_8))));
            List<String> pongs = new ArrayList<>();
            while (pongs.size() < 2) {
                RawWebSocket.Frame next = ws.next();
                assertThat(next.opcode()).as("no close").isNotEqualTo(0x8);
                if (next.opcode() == 0xA) {
                    pongs.add(new String(next.payload(), StandardCharsets.UTF_8));
                }
            }
            assertThat(pongs).containsExactly("mid", "last");
            ws.send(close(4321, "bye"));
            assertThat(ws.untilClose().closeCode()).isEqualTo(4321);
        }
    }

    @Test
    void aClientThatAnswersNoPingIsClosedAfterThePongTimeoutAndOneThatAnswersStays() throws Exception {
        TestPolls.Poll poll = polls.create(1, 2);
        double before = metrics.disconnectedCount("pong-timeout");
        ViewerClient answering = new ViewerClient();
        WebSocket socket = http.newWebSocketBuilder()
                .header("X-Forwarded-For", freshIp())
                .buildAsync(URI.create("ws://localhost:" + port + "/ws/polls/" + poll.pollId()), answering)
                .get(10, TimeUnit.SECONDS);

        try (RawWebSocket silent = raw(poll)) {
            List<Integer> opcodes = new ArrayList<>();
            RawWebSocket.Frame frame;
            do {
                frame = silent.next();
                opcodes.add(frame.opcode());
            } while (frame.opcode() != 0x8);
            assertThat(opcodes)
                    .as("results, then our ping, then the close")
                    .startsWith(0x1)
                    .contains(0x9);
            assertThat(frame.closeCode()).isEqualTo(1001);
            assertThat(new String(frame.payload(), 2, frame.payload().length - 2, StandardCharsets.UTF_8))
                    .isEqualTo("pong timeout");
        }
        assertThat(metrics.disconnectedCount("pong-timeout")).isGreaterThan(before);

        // three pings at 1 s of silence each take longer than the 2 s pong timeout: answered, they keep it open
        await().atMost(Duration.ofSeconds(60)).until(() -> answering.pings.get() >= 3);
        assertThat(answering.closeCode).isNotDone();
        socket.sendClose(1000, "");
        assertThat(answering.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    }

    @Test
    void theConnectionsOfOneIpAreCappedAndTheCapFreesWhenOneCloses() throws Exception {
        TestPolls.Poll poll = polls.create(1, 2);
        String ip = freshIp();
        URI uri = URI.create("ws://localhost:" + port + "/ws/polls/" + poll.pollId());
        List<WebSocket> held = new ArrayList<>();
        List<ViewerClient> viewers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ViewerClient viewer = new ViewerClient();
            held.add(http.newWebSocketBuilder()
                    .header("X-Forwarded-For", ip)
                    .buildAsync(uri, viewer)
                    .get(10, TimeUnit.SECONDS));
            viewers.add(viewer);
        }
        await().until(() -> viewers.stream().allMatch(v -> v.last() != null));

        assertThatThrownBy(() -> http.newWebSocketBuilder()
                        .header("X-Forwarded-For", ip)
                        .buildAsync(uri, new ViewerClient())
                        .get(10, TimeUnit.SECONDS))
                .hasStackTraceContaining("429");
        HttpResponse<String> sse = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/sse/polls/" + poll.pollId()))
                        .header("X-Forwarded-For", ip)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(sse.statusCode()).as("SSE counts against the same cap").isEqualTo(429);
        assertThat(sse.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(sse.body()).contains("/problems/rate-limited");
        assertThat(sse.headers().firstValue("Retry-After")).isPresent();

        ViewerClient other = ViewerClient.connect(http, uri).get(10, TimeUnit.SECONDS);
        await().until(() -> other.last() != null);

        held.get(0).sendClose(1000, "");
        assertThat(viewers.get(0).closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
        ViewerClient again = new ViewerClient();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            http.newWebSocketBuilder()
                    .header("X-Forwarded-For", ip)
                    .buildAsync(uri, again)
                    .get(10, TimeUnit.SECONDS);
            return true;
        });
        await().until(() -> again.last() != null);
    }

    @Test
    void aRandomSlugFloodCostsOnePostgresQueryPerSlug() throws Exception {
        List<String> slugs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            slugs.add("flood-" + UUID.randomUUID());
        }
        long queriesBefore = CountPollQueries.SLUG_QUERIES.count();
        double hitsBefore = negative("hit");

        for (int round = 0; round < 5; round++) {
            for (String slug : slugs) {
                try (RawWebSocket ws = RawWebSocket.open(port, "/ws/polls/" + slug, freshIp(), 0)) {
                    assertThat(ws.untilClose().closeCode()).isEqualTo(4404);
                }
                HttpResponse<String> sse = http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/sse/polls/" + slug))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(sse.statusCode()).isEqualTo(404);
            }
        }

        assertThat(CountPollQueries.SLUG_QUERIES.count() - queriesBefore)
                .as("200 lookups of 20 unknown slugs")
                .isEqualTo(20);
        assertThat(negative("hit") - hitsBefore).isEqualTo(180);
    }

    private double negative(String result) {
        return registry.get("pollster.poll.catalog.negative")
                .tag("result", result)
                .functionCounter()
                .count();
    }

    @Test
    void randomBytesFromSeveralClientsNeverBreakTheGatewayAndAnotherViewerKeepsGettingUpdates() throws Exception {
        TestPolls.Poll poll = polls.create(1, 3);
        ViewerClient viewer = new ViewerClient();
        http.newWebSocketBuilder()
                .header("X-Forwarded-For", freshIp())
                .buildAsync(URI.create("ws://localhost:" + port + "/ws/polls/" + poll.pollId()), viewer)
                .get(10, TimeUnit.SECONDS);
        await().until(() -> viewer.last() != null);
        double violationsBefore = metrics.disconnectedCount("protocol-error");

        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        ExecutorService fuzzers = Executors.newFixedThreadPool(4);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        AtomicLong fuzzed = new AtomicLong();
        int updates = 0;
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int f = 0; f < 4; f++) {
                long seed = f;
                running.add(fuzzers.submit(() -> {
                    fuzz(poll, new Random(seed), deadline, fuzzed);
                    return null;
                }));
            }
            // the well-behaved viewer sees every update while the fuzz runs
            while (System.nanoTime() < deadline) {
                polls.count(poll, poll.choice(0, updates % 3));
                polls.publish(poll, false);
                long version = ++updates;
                await().atMost(Duration.ofSeconds(30)).until(() -> viewer.last().version() == version);
            }
            for (Future<?> fuzzer : running) {
                fuzzer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            fuzzers.shutdownNow();
            root.detachAppender(logged);
        }

        System.out.printf(
                "fuzz: %d connections of random bytes, %d updates to the other viewer meanwhile%n",
                fuzzed.get(), updates);
        assertThat(fuzzed.get()).isPositive();
        assertThat(metrics.disconnectedCount("protocol-error"))
                .as("the fuzz reached the frame checks")
                .isGreaterThan(violationsBefore);
        assertThat(logged.list)
                .as("nothing thrown out of the gateway's read loop, nothing logged as an error")
                .noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
                .noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN)
                        && event.getLoggerName().startsWith("io.pollster.live"));
        polls.count(poll, poll.choice(0, 0));
        polls.close(poll);
        polls.publish(poll, true);
        assertThat(viewer.closeCode.get(30, TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(viewer.last()).isEqualTo(polls.message(poll, true));
        assertThat(viewer.versionsNeverDecrease()).isTrue();
    }

    /** Connects, sends random bytes (after a plausible frame start half the time), and goes; until the deadline. */
    private void fuzz(TestPolls.Poll poll, Random random, long deadline, AtomicLong fuzzed) throws IOException {
        while (System.nanoTime() < deadline) {
            try (RawWebSocket ws = raw(poll)) {
                ws.socket.setSoTimeout(2_000);
                for (int chunk = random.nextInt(8); chunk >= 0; chunk--) {
                    byte[] junk = new byte[1 + random.nextInt(3_000)];
                    random.nextBytes(junk);
                    if (random.nextBoolean()) {
                        junk[0] = (byte) (random.nextBoolean() ? 0x81 : 0x09);
                        if (junk.length > 1) {
                            junk[1] = (byte) (0x80 | random.nextInt(126));
                        }
                    }
                    try {
                        ws.send(junk);
                    } catch (IOException closedByServer) {
                        break;
                    }
                }
                if (random.nextBoolean()) {
                    // sometimes wait for the server's verdict
                    try {
                        ws.untilClose();
                    } catch (IOException closedOrSilent) {
                        // a frame that needs more bytes than were sent: the server still waits for them
                    }
                }
            }
            fuzzed.incrementAndGet();
        }
    }

    @Test
    void theOpeningHandshakeIsBoundedInTimeAndSize() throws Exception {
        try (Socket slow = new Socket()) {
            slow.connect(new InetSocketAddress("localhost", port), 10_000);
            slow.setSoTimeout(60_000);
            OutputStream out = slow.getOutputStream();
            out.write("GET /ws/polls/anything HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // and then nothing: the connection timeout (2 s here, 10 s by default) drops it
            InputStream in = slow.getInputStream();
            byte[] sink = new byte[1024];
            int n;
            do {
                n = in.read(sink);
            } while (n > 0);
            assertThat(n).as("the server closed the connection").isEqualTo(-1);
        }

        try (Socket big = new Socket()) {
            big.connect(new InetSocketAddress("localhost", port), 10_000);
            big.setSoTimeout(60_000);
            big.getOutputStream()
                    .write(("GET /ws/polls/anything HTTP/1.1\r\nHost: localhost\r\n"
                                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                    + "X-Padding: " + "x".repeat(16 * 1024) + "\r\n"
                                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String status = new String(big.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).as("a request head over 8 KiB").isEqualTo("HTTP/1.1 400");
        }
    }
}
