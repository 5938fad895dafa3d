package io.pollster.jobs.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.StoreOutage;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.json.ProblemType;
import io.pollster.embedded.FreePorts;
import io.pollster.testing.PollFixtures;
import io.pollster.testing.ServiceProcess;
import io.pollster.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * jobs and live-gateway deployed alone (their executable jars as child JVMs, as in production), with
 * the postmaster and then redis-server SIGKILLed under them: the inbox ({@code GET /api/notifications})
 * and the live handshakes ({@code WS /ws/polls/{id}}, {@code GET /sse/polls/{id}}) that need the dead
 * store answer 503 {@code unavailable} with {@code Retry-After} in the problem format (docs/api.md
 * "Errors"), never a bare 500 and never a hang; once the store is back they answer as usual.
 */
class StoreOutageAnswersFaultIT {

    private static final Path LOGS = Path.of("target", "fault-logs");
    /** Longer than any store timeout of the services (5 s): an answer slower than this is a hang. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private final TestServers servers = TestServers.get();
    private final List<ServiceProcess> services = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        services.forEach(ServiceProcess::close);
        if (servers.postgresPid() < 0) {
            servers.startPostgres();
        }
        if (servers.redisPid() < 0) {
            servers.startRedis();
        }
    }

    @Test
    void inboxAndLiveHandshakesAnswer503WhileTheirStoreIsKilled() throws Exception {
        ServiceProcess jobs = launch(
                "outage-jobs",
                jar("pollster.test.jobs-jar"),
                Map.of(
                        "pollster.consumer-name", "outage-jobs",
                        "pollster.jobs.archive.dir",
                                LOGS.resolve("outage-archive").toString(),
                        "pollster.jobs.reconcile.enabled", "false"));
        ServiceProcess live = launch("outage-live-gateway", jar("pollster.test.live-gateway-jar"), Map.of());
        jobs.awaitReady();
        live.awaitReady();
        PollFixtures.Poll poll = PollFixtures.onTestServers().create(1, 2);
        UUID user = UUID.randomUUID();
        assertThat(inbox(jobs, user).status()).isEqualTo(200);

        servers.killPostgres();
        assertUnavailable(inbox(jobs, user), StoreOutage.Store.POSTGRESQL);
        // the gateway has never looked this poll up: only PostgreSQL knows it
        assertUnavailable(webSocketHandshake(live, poll.pollId()), StoreOutage.Store.POSTGRESQL);
        assertUnavailable(sse(live, poll.slug()), StoreOutage.Store.POSTGRESQL);
        servers.startPostgres();
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> inbox(jobs, user).status() == 200);

        servers.killRedis();
        // the first viewer of this gateway needs its pub/sub connection, which Redis alone serves
        assertUnavailable(webSocketHandshake(live, poll.pollId()), StoreOutage.Store.REDIS);
        assertUnavailable(sse(live, poll.pollId().toString()), StoreOutage.Store.REDIS);
        assertThat(inbox(jobs, user).status())
                .as("the inbox needs PostgreSQL only")
                .isEqualTo(200);
        servers.startRedis();
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> webSocketHandshake(live, poll.pollId()).status() == 101);
    }

    private static void assertUnavailable(Answer answer, StoreOutage.Store store) {
        assertThat(answer.status()).as("status of %s", answer).isEqualTo(503);
        assertThat(answer.header("retry-after")).isEqualTo(Integer.toString(StoreOutage.RETRY_AFTER_SECONDS));
        assertThat(answer.header("content-type")).startsWith("application/problem+json");
        JsonNode problem = PollsterJson.mapper().readTree(answer.body());
        assertThat(problem.path("type").asString())
                .isEqualTo(ProblemType.UNAVAILABLE.uri().toString());
        assertThat(problem.path("status").asInt()).isEqualTo(503);
        assertThat(problem.path("detail").asString()).isEqualTo(StoreOutage.detail(store));
    }

    private static Answer inbox(ServiceProcess jobs, UUID user) throws IOException {
        return exchange(jobs, "/api/notifications", Map.of("X-User-Id", user.toString(), "Accept", "application/json"));
    }

    private static Answer sse(ServiceProcess live, String idOrSlug) throws IOException {
        return exchange(live, "/sse/polls/" + idOrSlug, Map.of("Accept", "text/event-stream"));
    }

    private static Answer webSocketHandshake(ServiceProcess live, UUID pollId) throws IOException {
        return exchange(
                live,
                "/ws/polls/" + pollId,
                Map.of(
                        "Upgrade", "websocket",
                        "Connection", "Upgrade",
                        "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==",
                        "Sec-WebSocket-Version", "13"));
    }

    /**
     * One GET on a plain socket (java.net.http refuses the handshake's headers): the status, the headers
     * and, unless it is 101 or an event stream that stays open, the body.
     */
    private static Answer exchange(ServiceProcess service, String path, Map<String, String> headers)
            throws IOException {
        URI base = URI.create(service.baseUrl());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            socket.setSoTimeout((int) ANSWER_TIMEOUT.toMillis());
            StringBuilder request =
                    new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + base.getAuthority() + "\r\n");
            headers.forEach((name, value) ->
                    request.append(name).append(": ").append(value).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String[] head = readHead(in).split("\r\n");
            int status = Integer.parseInt(head[0].split(" ")[1]);
            Map<String, String> received = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                received.put(
                        head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        head[i].substring(colon + 1).trim());
            }
            String body = "";
            if (status != 101 && !received.getOrDefault("content-type", "").startsWith("text/event-stream")) {
                body = readBody(in, received);
            }
            return new Answer(status, received, body);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before a full response head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII).strip();
    }

    private static String readBody(InputStream in, Map<String, String> headers) throws IOException {
        if (headers.containsKey("content-length")) {
            return new String(in.readNBytes(Integer.parseInt(headers.get("content-length"))), StandardCharsets.UTF_8);
        }
        if (!"chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            return "";
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
            if (size == 0) {
                return body.toString(StandardCharsets.UTF_8);
            }
            body.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private ServiceProcess launch(String name, Path jar, Map<String, String> properties) {
        ServiceProcess service = ServiceProcess.launch(name, jar, FreePorts.pick(), LOGS, properties);
        services.add(service);
        return service;
    }

    private static Path jar(String property) {
        String path = System.getProperty(property);
        assertThat(path)
                .as("system property " + property + " (set by the jobs POM)")
                .isNotBlank();
        return Path.of(path);
    }

    private record Answer(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name);
        }
    }
}
