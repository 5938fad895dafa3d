package io.pollster.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsMessage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.JsonNode;

/**
 * Fan-out benchmark: N WebSocket viewers on one poll while votes arrive at a fixed rate; prints vote→viewer
 * latency (p50, p99, p99.9, max), messages delivered per second, the vote rate actually reached, and the
 * CPU the benchmark itself used.
 *
 * <p>Viewers are raw sockets on a few selector threads ({@link WebSocketViewers}), votes are sent by a
 * few threads over keep-alive HTTP/1.1 ({@link KeepAliveHttp}), each vote due at its exact time on a
 * fixed schedule (an open loop: a slow server makes votes late, which shows as a lower achieved rate,
 * rather than the benchmark slowing down to match). Latency is measured from each vote's 202 to the
 * first message a viewer receives whose version includes it: a poll with one question has version =
 * votes counted, so the i-th accepted vote (by 202 time) is taken as version {@code start + i}. Every
 * (vote, viewer) pair is one sample, so votes merged into a later frame count with their full wait.
 *
 * <p>When {@code POST /api/polls/{id}/votes} does not answer 202 (no write path), the benchmark plays
 * the projector instead ({@code mode: FALLBACK}): it writes the poll's counts and PUBLISHes a Results
 * message per change at the rate, and measures publish→receipt.
 *
 * <pre>
 * ulimit -n 20000
 * ./mvnw -B -q -Pbench -pl bench -am verify -DskipTests -Dbench=FanoutBenchmark \
 *     -Dbench.args="--viewers=10000 --rate=1000 --seconds=20 --warmup=10"
 * </pre>
 *
 * Without {@code --base} (with {@code --redis}, {@code --jdbc}, {@code --server-pid}) it starts its own
 * standalone ({@link BenchTarget}); the run is charted as {@code bench/target/fanout.png}.
 *
 * Options: {@code viewer-threads} (selector threads, 2), {@code vote-threads} (64: blocking keep-alive connections, enough for 1,000 votes/s at a 202 latency of up to ~60 ms), {@code drain}
 * (seconds to wait after the last vote for every viewer to reach the final version, 10), {@code jfr}
 * (a file: records a JFR profile of the server, {@code --server-pid}, over the measured window),
 * {@code mode} ({@code publish} forces the FALLBACK mode, to measure the gateway without the vote path).
 */
public final class FanoutBenchmark {

    private final BenchArgs args;
    private final String base;
    private final String redisUrl;
    private final String jdbcUrl;
    private final int viewers;
    private final int rate;
    private final int seconds;
    private final int warmup;
    private final HttpClient http = HttpClient.newHttpClient();

    private FanoutBenchmark(BenchArgs args) {
        this.args = args;
        base = args.string("base", "http://localhost:18091");
        redisUrl = args.string("redis", "redis://localhost:18489");
        jdbcUrl = args.string("jdbc", "jdbc:postgresql://localhost:18442/postgres");
        viewers = args.integer("viewers", 10000);
        rate = args.integer("rate", 1000);
        seconds = args.integer("seconds", 20);
        warmup = args.integer("warmup", 10);
    }

    public static void main(String[] argv) throws Exception {
        try (BenchTarget target = BenchTarget.open(BenchArgs.parse(argv))) {
            new FanoutBenchmark(target.args()).run();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        Poll poll = createPoll();
        System.out.printf(
                "poll %s, %d viewers, %d votes/s for %d s after %d s warm-up%n",
                poll.pollId, viewers, rate, seconds, warmup);

        int viewerThreads = args.integer("viewer-threads", 2);
        long connectStart = System.nanoTime();
        WebSocketViewers clients =
                new WebSocketViewers(URI.create(base), "/ws/polls/" + poll.pollId, viewers, viewerThreads, 200);
        int connected = clients.connectAll(180);
        System.out.printf(
                "connected %d/%d viewers in %.1f s (%d failed) on %d selector threads%n",
                connected, viewers, (System.nanoTime() - connectStart) / 1e9, clients.failed(), viewerThreads);
        waitUntil(() -> clients.minVersion() >= 0, 60);
        System.out.printf("%d viewers got the snapshot%n", clients.atLeast(0));

        String mode = args.string("mode", "auto");
        boolean votes = !mode.equals("publish") && voteAnswers202(poll);
        System.out.println(
                votes
                        ? "mode: votes over HTTP (POST /api/polls/{id}/votes), latency = vote's 202 → viewer receipt"
                        : "mode: FALLBACK ("
                                + (mode.equals("publish") ? "--mode publish" : "votes API did not answer 202")
                                + "): simulating the projector by PUBLISHing Results messages,"
                                + " latency = publish → viewer receipt");

        long startVersion;
        if (votes) {
            Schedule warm = driveVotes(poll, warmup);
            startVersion = 1 + warm.accepted();
            System.out.printf(
                    "warm-up: %d votes accepted of %d in %.1f s%n", warm.accepted(), warm.total, warm.elapsedSeconds());
            long settleStart = System.nanoTime();
            boolean settled = waitUntil(() -> clients.atLeast(startVersion) == connected, 30);
            System.out.printf(
                    "warm-up settled: %d/%d viewers at version %d after %.1f s%s%n",
                    clients.atLeast(startVersion),
                    connected,
                    startVersion,
                    (System.nanoTime() - settleStart) / 1e9,
                    settled ? "" : " (NOT all: measuring anyway)");
        } else {
            startVersion = 0;
        }

        String jfr = args.optional("jfr").orElse(null);
        if (jfr != null) {
            jcmd("JFR.start", "name=fanout", "settings=profile", "filename=" + jfr);
        }
        CpuSplit machine = CpuSplit.of(args);
        CpuSnapshot before = CpuSnapshot.take(args.optional("server-pid").orElse(null));
        CpuSplit.Snapshot machineBefore = machine.take();
        long messagesBefore = clients.messages();
        clients.recording(true);
        // a subscriber of its own shows how much of the latency is the vote path's (202 → publish)
        RedisClient subscriberClient = RedisClient.create(redisUrl);
        WebSocketViewers.Receipts published = new WebSocketViewers.Receipts();
        StatefulRedisPubSubConnection<String, String> subscriber = subscriberClient.connectPubSub();
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void smessage(String channel, String message) {
                long at = System.nanoTime();
                byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
                synchronized (published) {
                    published.add(0, WebSocketViewers.version(bytes, 0, bytes.length), at);
                }
            }
        });
        subscriber.sync().ssubscribe(RedisKeys.updates(poll.pollId));
        Schedule schedule = votes ? driveVotes(poll, seconds) : drivePublishes(poll, seconds);
        long windowEnd = System.nanoTime();
        long[] versionTimes = schedule.acceptedTimesInOrder();
        long finalVersion = startVersion + versionTimes.length;
        boolean drained = waitUntil(() -> clients.atLeast(finalVersion) == connected, args.integer("drain", 10));
        long drainEnd = System.nanoTime();
        clients.recording(false);
        subscriber.close();
        subscriberClient.shutdown();
        CpuSnapshot after = CpuSnapshot.take(args.optional("server-pid").orElse(null));
        CpuSplit.Snapshot machineAfter = machine.take();
        if (jfr != null) {
            jcmd("JFR.stop", "name=fanout");
        }
        double elapsed = schedule.elapsedSeconds();

        System.out.printf(
                "%s: %d sent in %.1f s (target %d/s, reached %.0f/s sent, %.0f/s accepted); failed %d;"
                        + " send lag behind schedule p99 %d ms, max %d ms%n",
                votes ? "votes" : "publishes",
                schedule.total,
                elapsed,
                rate,
                schedule.total / elapsed,
                versionTimes.length / elapsed,
                schedule.total - versionTimes.length,
                schedule.lagPercentileMillis(0.99),
                schedule.lagPercentileMillis(1.0));
        if (votes) {
            System.out.printf(
                    "vote request→202: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    schedule.responsePercentileMillis(0.5),
                    schedule.responsePercentileMillis(0.99),
                    schedule.responsePercentileMillis(1.0));
        }
        long delivered = clients.messages() - messagesBefore;
        System.out.printf(
                "messages delivered: %d (%.0f/s over the send window + drain of %.1f s)%n",
                delivered, delivered / ((drainEnd - windowEnd) / 1e9 + elapsed), (drainEnd - windowEnd) / 1e9);

        Latencies latencies =
                Latencies.of(clients.receipts(), startVersion, versionTimes, clients.upgraded(), schedule.start);
        System.out.printf(
                "latency %s→viewer, every (vote, viewer) pair: %s (%d samples; %d pairs never delivered)%n",
                votes ? "vote 202" : "publish", latencies.pairs.summary(), latencies.pairs.total(), latencies.missing);
        System.out.printf(
                "latency change→viewer, newest vote of each message: %s (%d samples)%n",
                latencies.messages.summary(), latencies.messages.total());
        if (votes) {
            Latencies publishes;
            synchronized (published) {
                publishes = Latencies.of(
                        new WebSocketViewers.Receipts[] {published},
                        startVersion,
                        versionTimes,
                        new boolean[] {true},
                        schedule.start);
            }
            System.out.printf(
                    "of which vote 202→Redis publish (vote path, not the gateway): p50 %d ms, p99 %d ms, max %d ms"
                            + " (%d messages published in the window)%n",
                    publishes.pairs.percentile(0.50),
                    publishes.pairs.percentile(0.99),
                    publishes.pairs.percentile(1.0),
                    published.size);
        }
        BenchChart.write(
                "fanout",
                String.format("fan-out: %d viewers at %d %s/s", connected, rate, votes ? "votes" : "publishes"),
                latencies.pairs,
                (votes ? "vote 202" : "publish") + " → viewer, every pair",
                latencies.deliveries,
                "messages delivered");
        if (latencies.truncated) {
            System.out.println("WARNING: the receipt log was full; latencies cover only the first receipts");
        }
        System.out.printf(
                "viewers at the final version %d: %d/%d (%s %.1f s after the last vote); versions going backwards: %d%n",
                finalVersion,
                clients.atLeast(finalVersion),
                connected,
                drained ? "all within" : "waited",
                (drainEnd - windowEnd) / 1e9,
                clients.backwards());
        double window = (after.wallNanos - before.wallNanos) / 1e9;
        System.out.printf(
                "benchmark JVM CPU: %.1f s over %.1f s (%.0f%% of one core; viewers and vote senders)%n",
                (after.selfCpuNanos - before.selfCpuNanos) / 1e9,
                window,
                100.0 * (after.selfCpuNanos - before.selfCpuNanos) / (after.wallNanos - before.wallNanos));
        if (before.serverCpuNanos >= 0) {
            System.out.printf(
                    "server CPU: %.1f s over %.1f s (%.0f%% of one core; %.1f s of it in the kernel)%n",
                    (after.serverCpuNanos - before.serverCpuNanos) / 1e9,
                    window,
                    100.0 * (after.serverCpuNanos - before.serverCpuNanos) / (after.wallNanos - before.wallNanos),
                    (after.serverSystemNanos - before.serverSystemNanos) / 1e9);
        }
        CpuSplit.print(
                votes ? "votes and fan-out:" : "fan-out:",
                machineBefore,
                machineAfter,
                Math.max(1, versionTimes.length),
                votes ? "vote" : "publish",
                window);
        System.out.printf(
                "summary: %d viewers at %.0f %s/s see the %s→screen p99 at %d ms (target: at most 500 ms)%n",
                connected,
                versionTimes.length / elapsed,
                votes ? "votes" : "publishes",
                votes ? "202" : "publish",
                latencies.pairs.percentile(0.99));
        System.out.printf("load average at the end: %s%n", loadAverage());
        clients.close();
    }

    /** Runs {@code jcmd <server-pid> ...}: the profile covers exactly the measured window. */
    private void jcmd(String... command) throws IOException, InterruptedException {
        List<String> line =
                new ArrayList<>(List.of("jcmd", args.optional("server-pid").orElse(null)));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            System.out.println("jcmd failed: " + output);
        }
    }

    /** Polls {@code condition} every 20 ms for at most {@code timeoutSeconds}; returns whether it held. */
    private static boolean waitUntil(java.util.function.BooleanSupplier condition, int timeoutSeconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return true;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Process CPU of this JVM and of the server ({@code --server-pid}, from /proc; -1 without it). */
    private record CpuSnapshot(long wallNanos, long selfCpuNanos, long serverCpuNanos, long serverSystemNanos) {

        static CpuSnapshot take(String serverPid) {
            long self = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
            long server = -1;
            long system = -1;
            if (serverPid != null) {
                try {
                    String stat = Files.readString(Path.of("/proc/" + serverPid + "/stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // utime and stime (fields 14, 15 of /proc/pid/stat), in 100 Hz clock ticks
                    server = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
                    system = Long.parseLong(f[12]) * 10_000_000L;
                } catch (IOException e) {
                    server = -1;
                }
            }
            return new CpuSnapshot(System.nanoTime(), self, server, system);
        }
    }

    /**
     * Latencies computed from the receipt logs once every acceptance time is known. {@code versionTimes[i]}
     * is when version {@code startVersion + 1 + i} became due to the viewers (the (i+1)-th 202, or the
     * publish).
     */
    private static final class Latencies {
        final LatencyHistogram pairs = new LatencyHistogram();
        final LatencyHistogram messages = new LatencyHistogram();
        /** Messages received per second since the measured window opened. */
        final Timeline deliveries;

        long missing;
        boolean truncated;

        private Latencies(long windowStart) {
            deliveries = new Timeline(windowStart);
        }

        static Latencies of(
                WebSocketViewers.Receipts[] logs,
                long startVersion,
                long[] versionTimes,
                boolean[] viewers,
                long windowStart) {
            Latencies result = new Latencies(windowStart);
            long finalVersion = startVersion + versionTimes.length;
            long[] seen = new long[viewers.length];
            Arrays.fill(seen, startVersion);
            for (WebSocketViewers.Receipts log : logs) {
                result.truncated |= log.truncated;
                for (int r = 0; r < log.size; r++) {
                    int viewer = WebSocketViewers.Receipts.viewer(log.keys[r]);
                    long version = Math.min(finalVersion, WebSocketViewers.Receipts.version(log.keys[r]));
                    long last = seen[viewer];
                    if (version <= last) {
                        continue;
                    }
                    long at = log.nanos[r];
                    result.deliveries.add(at);
                    for (long v = last + 1; v <= version; v++) {
                        result.pairs.add(at - versionTimes[(int) (v - startVersion - 1)]);
                    }
                    result.messages.add(at - versionTimes[(int) (version - startVersion - 1)]);
                    seen[viewer] = version;
                }
            }
            for (int viewer = 0; viewer < viewers.length; viewer++) {
                if (viewers[viewer]) {
                    result.missing += finalVersion - seen[viewer];
                }
            }
            return result;
        }
    }

    /** Votes (or publishes) due at fixed times: when each was due, sent and accepted. */
    private static final class Schedule {
        final int total;
        final long[] dueNanos;
        final long[] sentNanos;
        /** 0 when not accepted. */
        final long[] acceptedNanos;

        long start;
        long end;

        Schedule(int total) {
            this.total = total;
            dueNanos = new long[total];
            sentNanos = new long[total];
            acceptedNanos = new long[total];
        }

        double elapsedSeconds() {
            return (end - start) / 1e9;
        }

        int accepted() {
            int n = 0;
            for (long at : acceptedNanos) {
                if (at != 0) {
                    n++;
                }
            }
            return n;
        }

        /** Acceptance times in the order they happened: the i-th is taken as the i-th version. */
        long[] acceptedTimesInOrder() {
            return Arrays.stream(acceptedNanos).filter(at -> at != 0).sorted().toArray();
        }

        long lagPercentileMillis(double p) {
            long[] lags = new long[total];
            for (int i = 0; i < total; i++) {
                lags[i] = sentNanos[i] - dueNanos[i];
            }
            return percentile(lags, p) / 1_000_000;
        }

        double responsePercentileMillis(double p) {
            long[] times = new long[total];
            int n = 0;
            for (int i = 0; i < total; i++) {
                if (acceptedNanos[i] != 0) {
                    times[n++] = acceptedNanos[i] - sentNanos[i];
                }
            }
            return percentile(Arrays.copyOf(times, n), p) / 1e6;
        }

        private static long percentile(long[] values, double p) {
            if (values.length == 0) {
                return 0;
            }
            Arrays.sort(values);
            return values[Math.max(0, (int) Math.ceil(values.length * p) - 1)];
        }
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
        } catch (IOException e) {
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
        try (KeepAliveHttp client = new KeepAliveHttp(URI.create(base))) {
            return client.post(votePath(poll), UUID.randomUUID().toString(), poll.body(0)) == 202;
        } catch (IOException e) {
            return false;
        }
    }

    private static String votePath(Poll poll) {
        return "/api/polls/" + poll.pollId + "/votes";
    }

    /**
     * Votes at the rate for {@code seconds}: vote k is due at {@code start + k / rate}; sender threads take
     * the next due vote, wait for its time and send it on their own keep-alive connection.
     */
    private Schedule driveVotes(Poll poll, int seconds) throws InterruptedException {
        Schedule schedule = new Schedule(rate * seconds);
        int threads = args.integer("vote-threads", 64);
        AtomicInteger next = new AtomicInteger();
        String path = votePath(poll);
        URI uri = URI.create(base);
        schedule.start = System.nanoTime() + 1_000_000;
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread sender = new Thread(
                    () -> {
                        try (KeepAliveHttp client = new KeepAliveHttp(uri)) {
                            for (int k = next.getAndIncrement(); k < schedule.total; k = next.getAndIncrement()) {
                                long due = schedule.start + k * 1_000_000_000L / rate;
                                schedule.dueNanos[k] = due;
                                waitFor(due);
                                String user = UUID.randomUUID().toString();
                                schedule.sentNanos[k] = System.nanoTime();
                                try {
                                    if (client.post(path, user, poll.body(k)) == 202) {
                                        schedule.acceptedNanos[k] = System.nanoTime();
                                    }
                                } catch (IOException e) {
                                    // counted as not accepted
                                }
                            }
                        }
                    },
                    "vote-sender-" + t);
            sender.setDaemon(true);
            senders.add(sender);
            sender.start();
        }
        for (Thread sender : senders) {
            sender.join();
        }
        schedule.end = System.nanoTime();
        return schedule;
    }

    /** Plays the projector: counts into Redis, then one Results message per change (version k = change k). */
    private Schedule drivePublishes(Poll poll, int seconds) {
        Schedule schedule = new Schedule(rate * seconds);
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            long[] counts = new long[poll.choices.size()];
            schedule.start = System.nanoTime();
            for (int k = 1; k <= schedule.total; k++) {
                long due = schedule.start + (k - 1) * 1_000_000_000L / rate;
                schedule.dueNanos[k - 1] = due;
                waitFor(due);
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
                schedule.sentNanos[k - 1] = System.nanoTime();
                schedule.acceptedNanos[k - 1] = schedule.sentNanos[k - 1];
                redis.async().spublish(RedisKeys.updates(poll.pollId), json);
            }
            schedule.end = System.nanoTime();
        } finally {
            client.shutdown();
        }
        return schedule;
    }

    private static void waitFor(long dueNanos) {
        for (long wait = dueNanos - System.nanoTime(); wait > 0; wait = dueNanos - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    private record Poll(UUID pollId, UUID questionId, List<UUID> choices) {

        /** The body of vote {@code n}: the choices in turn. */
        byte[] body(int n) {
            return ("{\"answers\":[{\"question_id\":\"" + questionId + "\",\"choice_id\":\""
                            + choices.get(n % choices.size()) + "\"}]}")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }
}
