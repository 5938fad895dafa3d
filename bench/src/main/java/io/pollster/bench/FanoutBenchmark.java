package io.pollster.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import tools.jackson.databind.JsonNode;

/**
 * Fan-out benchmark: N WebSocket viewers on one poll while results change at a fixed rate; prints
 * change→viewer latency (p50, p99, max) and messages delivered per second.
 *
 * <p>Votes go to {@code POST /api/polls/{id}/votes} when the server answers 202. Otherwise (no write
 * path yet) the benchmark plays the projector: it writes the poll's counts and PUBLISHes Results
 * messages on the poll's channel at the same rate, and measures publish→receipt. The publisher and the
 * viewers share this JVM, so the send time of version {@code v} is kept in an array rather than in the
 * message.
 *
 * <pre>
 * java -cp ... io.pollster.bench.FanoutBenchmark --base http://localhost:18082 \
 *     --redis redis://localhost:18479 --jdbc jdbc:postgresql://localhost:18432/postgres \
 *     --viewers 10000 --rate 1000 --seconds 30
 * </pre>
 */
public final class FanoutBenchmark {

    private static final int MAX_LATENCY_MS = 60_000;

    private final String base;
    private final String redisUrl;
    private final String jdbcUrl;
    private final int viewers;
    private final int rate;
    private final int seconds;
    private final HttpClient http;
    private final long[] sentAtNanos;
    private final AtomicLongArray latencyMillis = new AtomicLongArray(MAX_LATENCY_MS + 1);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong measured = new AtomicLong();
    private final AtomicInteger backwards = new AtomicInteger();
    private volatile boolean measuring;

    private FanoutBenchmark(Map<String, String> args) {
        base = args.getOrDefault("base", "http://localhost:18082");
        redisUrl = args.getOrDefault("redis", "redis://localhost:18479");
        jdbcUrl = args.getOrDefault("jdbc", "jdbc:postgresql://localhost:18432/postgres");
        viewers = Integer.parseInt(args.getOrDefault("viewers", "10000"));
        rate = Integer.parseInt(args.getOrDefault("rate", "1000"));
        seconds = Integer.parseInt(args.getOrDefault("seconds", "30"));
        ExecutorService callbacks = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "viewer-callbacks");
            t.setDaemon(true);
            return t;
        });
        http = HttpClient.newBuilder().executor(callbacks).build();
        sentAtNanos = new long[rate * seconds + 10];
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        new FanoutBenchmark(args).run();
        System.exit(0);
    }

    private void run() throws Exception {
        Poll poll = createPoll();
        System.out.printf("poll %s, %d viewers, %d changes/s for %d s%n", poll.pollId, viewers, rate, seconds);

        long connectStart = System.nanoTime();
        List<Viewer> connected = connectViewers(poll);
        System.out.printf(
                "connected %d/%d viewers in %.1f s%n",
                connected.size(), viewers, (System.nanoTime() - connectStart) / 1e9);
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (connected.stream().anyMatch(v -> v.lastVersion.get() < 0) && System.nanoTime() < waitUntil) {
            Thread.sleep(100);
        }
        System.out.printf(
                "%d viewers got the snapshot%n",
                connected.stream().filter(v -> v.lastVersion.get() >= 0).count());

        boolean votes = voteAnswers202(poll);
        System.out.println(
                votes
                        ? "mode: votes over HTTP (POST /api/polls/{id}/votes), latency = vote sent → viewer receipt"
                        : "mode: FALLBACK, votes API did not answer 202: simulating the projector by PUBLISHing"
                                + " Results messages, latency = publish → viewer receipt");

        measuring = true;
        long start = System.nanoTime();
        int changes = votes ? driveVotes(poll) : drivePublishes(poll);
        long end = System.nanoTime();
        Thread.sleep(3_000); // let the last messages arrive
        measuring = false;
        double elapsed = (end - start) / 1e9;

        long finalVersion = changes;
        long atFinal = connected.stream()
                .filter(v -> v.lastVersion.get() >= finalVersion)
                .count();
        System.out.printf("changes sent: %d in %.1f s (%.0f/s)%n", changes, elapsed, changes / elapsed);
        System.out.printf(
                "messages delivered: %d (%.0f/s over the send window)%n", delivered.get(), delivered.get() / elapsed);
        System.out.printf(
                "latency change→viewer: p50 %d ms, p99 %d ms, p99.9 %d ms, max %d ms (%d samples)%n",
                percentile(0.50), percentile(0.99), percentile(0.999), percentile(1.0), measured.get());
        System.out.printf(
                "viewers at the final version: %d/%d; versions going backwards: %d%n",
                atFinal, connected.size(), backwards.get());
    }

    private long percentile(double p) {
        long total = measured.get();
        long target = (long) Math.ceil(total * p);
        long seen = 0;
        for (int ms = 0; ms <= MAX_LATENCY_MS; ms++) {
            seen += latencyMillis.get(ms);
            if (seen >= target && seen > 0) {
                return ms;
            }
        }
        return MAX_LATENCY_MS;
    }

    private List<Viewer> connectViewers(Poll poll) throws Exception {
        URI uri = URI.create(base.replaceFirst("^http", "ws") + "/ws/polls/" + poll.pollId);
        List<Viewer> connected = new ArrayList<>(viewers);
        for (int start = 0; start < viewers; start += 250) {
            List<CompletableFuture<WebSocket>> batch = new ArrayList<>();
            List<Viewer> batchViewers = new ArrayList<>();
            for (int i = start; i < Math.min(viewers, start + 250); i++) {
                Viewer viewer = new Viewer();
                batchViewers.add(viewer);
                batch.add(http.newWebSocketBuilder()
                        .connectTimeout(Duration.ofSeconds(30))
                        .buildAsync(uri, viewer));
            }
            for (int i = 0; i < batch.size(); i++) {
                try {
                    batch.get(i).get(60, TimeUnit.SECONDS);
                    connected.add(batchViewers.get(i));
                } catch (Exception e) {
                    System.out.println("viewer failed to connect: " + e.getCause());
                }
            }
        }
        return connected;
    }

    /** One viewer: reads the version without parsing the whole message. */
    private final class Viewer implements WebSocket.Listener {
        private final AtomicLong lastVersion = new AtomicLong(-1);
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                long version = version(partial);
                partial.setLength(0);
                long previous = lastVersion.getAndSet(version);
                if (version < previous) {
                    backwards.incrementAndGet();
                }
                if (measuring && version > 0 && version <= sentAtNanos.length) {
                    delivered.incrementAndGet();
                    long sentAt = sentAtNanos[(int) version - 1];
                    if (sentAt > 0) {
                        long ms = Math.min(MAX_LATENCY_MS, Math.max(0, (now - sentAt) / 1_000_000));
                        latencyMillis.incrementAndGet((int) ms);
                        measured.incrementAndGet();
                    }
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    private static long version(CharSequence json) {
        String text = json.toString();
        int at = text.indexOf("\"version\":") + "\"version\":".length();
        int end = at;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return Long.parseLong(text.substring(at, end));
    }

    private Poll createPoll() throws Exception {
        UUID creator = UUID.randomUUID();
        String body = "{\"title\":\"Fan-out benchmark\",\"questions\":[{\"text\":\"Pick one\","
                + "\"choices\":[\"a\",\"b\",\"c\",\"d\"]}]}";
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/polls"))
                            .header("Content-Type", "application/json")
                            .header("X-User-Id", creator.toString())
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 201) {
                JsonNode poll = PollsterJson.mapper().readTree(response.body());
                JsonNode question = poll.get("questions").get(0);
                List<UUID> choices = new ArrayList<>();
                question.get("choices")
                        .forEach(c ->
                                choices.add(UUID.fromString(c.get("choice_id").asString())));
                System.out.println("poll created over HTTP");
                return new Poll(
                        UUID.fromString(poll.get("poll_id").asString()),
                        UUID.fromString(question.get("question_id").asString()),
                        choices);
            }
            System.out.println("POST /api/polls answered " + response.statusCode() + ": creating the poll by SQL");
        } catch (java.io.IOException e) {
            System.out.println("POST /api/polls failed (" + e + "): creating the poll by SQL");
        }
        Poll poll = new Poll(
                UUID.randomUUID(),
                UUID.randomUUID(),
                List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()));
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            // one transaction, as the API creates polls: the projector sees the poll whole or not at all
            db.setAutoCommit(false);
            try (PreparedStatement s = db.prepareStatement(
                    "INSERT INTO polls (poll_id, creator_id, title, unique_slug) VALUES (?, ?, 'Fan-out benchmark', ?)")) {
                s.setObject(1, poll.pollId);
                s.setObject(2, creator);
                s.setString(3, "fanout-" + poll.pollId);
                s.executeUpdate();
            }
            try (PreparedStatement s = db.prepareStatement(
                    "INSERT INTO questions (question_id, poll_id, question_text, \"order\") VALUES (?, ?, 'Pick one', 0)")) {
                s.setObject(1, poll.questionId);
                s.setObject(2, poll.pollId);
                s.executeUpdate();
            }
            for (int i = 0; i < poll.choices.size(); i++) {
                try (PreparedStatement s = db.prepareStatement(
                        "INSERT INTO choices (choice_id, question_id, choice_text, position) VALUES (?, ?, ?, ?)")) {
                    s.setObject(1, poll.choices.get(i));
                    s.setObject(2, poll.questionId);
                    s.setString(3, "choice " + i);
                    s.setInt(4, i);
                    s.executeUpdate();
                }
                try (PreparedStatement s = db.prepareStatement(
                        "INSERT INTO choice_counts (choice_id, poll_id, question_id, count) VALUES (?, ?, ?, 0)")) {
                    s.setObject(1, poll.choices.get(i));
                    s.setObject(2, poll.pollId);
                    s.setObject(3, poll.questionId);
                    s.executeUpdate();
                }
            }
            db.commit();
        }
        return poll;
    }

    private boolean voteAnswers202(Poll poll) {
        try {
            return vote(poll, 0) == 202;
        } catch (Exception e) {
            return false;
        }
    }

    private int vote(Poll poll, int n) throws Exception {
        String body = "{\"answers\":[{\"question_id\":\"" + poll.questionId + "\",\"choice_id\":\""
                + poll.choices.get(n % poll.choices.size()) + "\"}]}";
        return http.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/polls/" + poll.pollId + "/votes"))
                                .header("Content-Type", "application/json")
                                .header("X-User-Id", UUID.randomUUID().toString())
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** Votes at the rate; vote k (the probe vote was the first) is taken as version k. */
    private int driveVotes(Poll poll) throws Exception {
        int total = rate * seconds;
        sentAtNanos[0] = 0; // the probe vote was sent before measuring
        ExecutorService senders = Executors.newFixedThreadPool(16);
        long start = System.nanoTime();
        for (int k = 1; k < total; k++) {
            pace(start, k);
            int n = k;
            sentAtNanos[k] = System.nanoTime();
            senders.execute(() -> {
                try {
                    vote(poll, n);
                } catch (Exception e) {
                    // a failed vote shows up as a missing version
                }
            });
        }
        senders.shutdown();
        senders.awaitTermination(60, TimeUnit.SECONDS);
        return total;
    }

    /** Plays the projector: counts into Redis, then one Results message per change. */
    private int drivePublishes(Poll poll) throws Exception {
        int total = rate * seconds;
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            long[] counts = new long[poll.choices.size()];
            long start = System.nanoTime();
            for (int k = 1; k <= total; k++) {
                pace(start, k);
                int choice = k % counts.length;
                counts[choice]++;
                List<Results.ChoiceCount> choiceCounts = new ArrayList<>();
                for (int c = 0; c < counts.length; c++) {
                    choiceCounts.add(new Results.ChoiceCount(poll.choices.get(c), counts[c]));
                }
                String json = ResultsMessage.of(new Results(
                                poll.pollId,
                                k,
                                false,
                                k,
                                List.of(new Results.QuestionResults(poll.questionId, k, choiceCounts))))
                        .toJson();
                redis.async()
                        .hset(
                                RedisKeys.counts(poll.pollId),
                                RedisKeys.choiceField(poll.choices.get(choice)),
                                Long.toString(counts[choice]));
                sentAtNanos[k - 1] = System.nanoTime();
                redis.async().publish(RedisKeys.updates(poll.pollId), json);
            }
        } finally {
            client.shutdown();
        }
        return total;
    }

    private void pace(long start, int k) throws InterruptedException {
        long due = start + k * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private record Poll(UUID pollId, UUID questionId, List<UUID> choices) {}
}
