package io.pollster.standalone;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.ServiceDefaults;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shipped dashboard ({@code deploy/grafana/dashboards/pollster.json}) and alert rules
 * ({@code deploy/prometheus/alerts.yml}) read only metrics that exist: after votes, a refused vote, a
 * WebSocket and an SSE viewer and a drained pipeline on the real standalone application, every metric
 * name of every panel and rule is a series of {@code /actuator/prometheus}.
 */
class MonitoringMetricsIT {

    /** Series Prometheus makes itself for every target, which no application exposes. */
    static final Set<String> MADE_BY_PROMETHEUS = Set.of("up");

    private static final int VOTERS = 5;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dataDir;

    private ConfigurableApplicationContext app;
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    @BeforeEach
    void start() {
        app = new SpringApplicationBuilder(PollsterApplication.class)
                .properties(ServiceDefaults.of("pollster", 8080))
                .run(
                        "--server.port=0",
                        "--pollster.embedded.data-dir=" + dataDir,
                        "--pollster.embedded.postgres-port=0",
                        "--pollster.embedded.redis-port=0");
        base = "http://localhost:" + app.getEnvironment().getProperty("local.server.port");
    }

    @AfterEach
    void stop() {
        app.close();
    }

    @Test
    void everyMetricOfTheDashboardAndTheAlertRulesIsExposedAfterTraffic() throws Exception {
        JsonNode poll = JSON.readTree(send(post(
                        "/api/polls",
                        UUID.randomUUID(),
                        "{\"title\":\"Watched?\",\"questions\":[{\"text\":\"Pick one\",\"choices\":[\"yes\",\"no\"]}]}"))
                .body());
        String pollId = poll.path("poll_id").asString();
        String questionId = poll.path("questions").path(0).path("question_id").asString();
        String choiceId = poll.path("questions")
                .path(0)
                .path("choices")
                .path(0)
                .path("choice_id")
                .asString();

        List<String> webSocketFrames = new CopyOnWriteArrayList<>();
        WebSocket webSocket = http.newWebSocketBuilder()
                .buildAsync(URI.create(base.replace("http", "ws") + "/ws/polls/" + pollId), collect(webSocketFrames))
                .get(60, SECONDS);
        List<String> sseLines = new CopyOnWriteArrayList<>();
        CompletableFuture<HttpResponse<Stream<String>>> sse = http.sendAsync(
                HttpRequest.newBuilder(URI.create(base + "/sse/polls/" + pollId))
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        sse.thenAccept(response -> response.body().forEach(sseLines::add));

        String vote = "{\"answers\":[{\"question_id\":\"" + questionId + "\",\"choice_id\":\"" + choiceId + "\"}]}";
        UUID first = UUID.randomUUID();
        assertThat(send(post("/api/polls/" + pollId + "/votes", first, vote)).statusCode())
                .isEqualTo(202);
        for (int i = 1; i < VOTERS; i++) {
            assertThat(send(post("/api/polls/" + pollId + "/votes", UUID.randomUUID(), vote))
                            .statusCode())
                    .isEqualTo(202);
        }
        // a refusal, so that the refused-by-reason counter exists
        assertThat(send(post("/api/polls/" + pollId + "/votes", first, vote)).statusCode())
                .isEqualTo(409);

        String drained = "\"total_votes\":" + VOTERS;
        await().atMost(120, SECONDS).untilAsserted(() -> {
            assertThat(webSocketFrames).anySatisfy(frame -> assertThat(frame).contains(drained));
            assertThat(sseLines).anySatisfy(line -> assertThat(line).contains(drained));
        });

        // the GC pause timer exists from the JVM's first collection on, which a service under load has
        // within seconds; a quiet test JVM with a large heap may not have had one yet
        System.gc();
        await().atMost(60, SECONDS).until(() -> exposedSeries().contains("jvm_gc_pause_seconds_sum"));
        Set<String> exposed = exposedSeries();
        Map<String, Set<String>> used = usedMetrics();
        assertThat(used.get("dashboard")).as("metrics the dashboard reads").hasSizeGreaterThan(30);
        assertThat(used.get("alerts")).as("metrics the alert rules read").hasSizeGreaterThan(10);
        used.forEach((file, names) -> assertThat(
                        names.stream().filter(name -> !exposed.contains(name) && !MADE_BY_PROMETHEUS.contains(name)))
                .as("metrics of the %s that /actuator/prometheus does not expose", file)
                .isEmpty());

        webSocket.abort();
        sse.cancel(true);
    }

    /** The name of every sample of the Prometheus text exposition, labels stripped. */
    private Set<String> exposedSeries() throws Exception {
        HttpResponse<String> scrape = http.send(
                HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                        .header("Accept", "text/plain")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        Set<String> names = new TreeSet<>();
        scrape.body()
                .lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.split("[{ ]", 2)[0])
                .forEach(names::add);
        assertThat(names).contains("pollster_votes_accepted_total", "jvm_memory_used_bytes");
        return names;
    }

    /** The metric names of every dashboard panel and variable, and of every alert rule. */
    @SuppressWarnings("unchecked")
    private static Map<String, Set<String>> usedMetrics() throws IOException {
        Path root = RepositoryFiles.root();
        Set<String> dashboard = new TreeSet<>();
        JsonNode panels = JSON.readTree(Files.readString(root.resolve("deploy/grafana/dashboards/pollster.json")));
        panels.findValues("expr").forEach(expr -> dashboard.addAll(PromQlMetricNames.of(expr.asString())));
        panels.path("templating").path("list").forEach(variable -> {
            String query = variable.path("definition").asString();
            if (query.startsWith("label_values(")) {
                String metric = query.substring("label_values(".length(), query.indexOf(','));
                dashboard.addAll(PromQlMetricNames.of(metric));
            }
        });

        Set<String> alerts = new TreeSet<>();
        try (InputStream in = Files.newInputStream(root.resolve("deploy/prometheus/alerts.yml"))) {
            Map<String, Object> rules = new Yaml().load(in);
            for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    alerts.addAll(PromQlMetricNames.of((String) rule.get("expr")));
                }
            }
        }
        return Map.of("dashboard", dashboard, "alerts", alerts);
    }

    private HttpRequest post(String path, UUID user, String body) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("X-User-Id", user.toString())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static WebSocket.Listener collect(List<String> frames) {
        return new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    frames.add(partial.toString());
                    partial.setLength(0);
                }
                socket.request(1);
                return null;
            }
        };
    }
}
