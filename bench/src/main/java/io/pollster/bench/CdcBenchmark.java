package io.pollster.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.RedisKeys;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * The CDC projector's figures, against a running Pollster (standalone or cdc-projector): drives
 * PostgreSQL with the ingester's SQL (multi-row INSERT … ON CONFLICT DO NOTHING into responses, UPDATE
 * choice_counts in the same transaction) and listens on the polls' update channels.
 *
 * <ol>
 *   <li>Latency: votes at a fixed rate; for every commit, the time until a Results message with a
 *       version covering it arrives (commit → publish, as a viewer's gateway would see it).
 *   <li>Throughput: batches as fast as two writers go; {@code choice_counts} row changes per second
 *       from the first commit until Redis holds PostgreSQL's counts exactly.
 * </ol>
 *
 * Arguments (all optional, {@link BenchArgs}): {@code --rate=1000 --seconds=30 --polls=10
 * --blastSeconds=15 --warmup=10}; against a running server {@code --base} with {@code --jdbc},
 * {@code --db-user} (postgres) and {@code --redis}, else it starts its own ({@link BenchTarget}). The
 * latency phase is charted as {@code bench/target/cdc.png}.
 */
public final class CdcBenchmark {

    private static final int CHOICES = 4;

    private final String jdbcUrl;
    private final String user;
    private final List<Poll> polls = new ArrayList<>();
    private final Map<UUID, ConcurrentLinkedDeque<long[]>> pendingCommits = new ConcurrentHashMap<>();
    private final Map<UUID, AtomicLong> committedVotes = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<long[]> delivered = new ConcurrentLinkedDeque<>();
    private volatile long measuredFrom;

    private record Poll(UUID pollId, UUID questionId, List<UUID> choiceIds) {}

    private CdcBenchmark(String jdbcUrl, String user) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
    }

    public static void main(String[] argv) throws Exception {
        try (BenchTarget target = BenchTarget.open(BenchArgs.parse(argv))) {
            run(target.args());
        }
    }

    private static void run(BenchArgs options) throws Exception {
        String jdbc = options.string("jdbc", "jdbc:postgresql://localhost:18432/postgres");
        String redisUrl = options.string("redis", "redis://localhost:18379");
        int rate = options.integer("rate", 1000);
        int seconds = options.integer("seconds", 30);
        int pollCount = options.integer("polls", 10);
        int blastSeconds = options.integer("blastSeconds", 15);

        CdcBenchmark bench = new CdcBenchmark(jdbc, options.string("db-user", "postgres"));
        bench.createPolls(pollCount);
        RedisClient redisClient = RedisClient.create(redisUrl);
        try (StatefulRedisPubSubConnection<String, String> subscriber = redisClient.connectPubSub();
                StatefulRedisConnection<String, String> redis = redisClient.connect()) {
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void smessage(String channel, String message) {
                    bench.onResults(message, System.nanoTime());
                }
            });
            subscriber
                    .sync()
                    .ssubscribe(bench.polls.stream()
                            .map(p -> RedisKeys.updates(p.pollId()))
                            .toArray(String[]::new));

            System.out.printf(
                    "CDC benchmark: %d polls, %d votes/s for %d s, then as fast as possible for %d s%n",
                    pollCount, rate, seconds, blastSeconds);
            int warmup = options.integer("warmup", 10);
            if (warmup > 0) {
                // JIT and connection warm-up of the projector and of this client, then measure afresh
                bench.paced(rate, warmup);
                TimeUnit.SECONDS.sleep(2);
                bench.delivered.clear();
                System.out.printf("warm-up: %d s at %d votes/s, not counted%n", warmup, rate);
            }
            // warm-up commits still in flight are delivered later: only commits from here on count
            bench.measuredFrom = System.nanoTime();
            bench.paced(rate, seconds);
            TimeUnit.SECONDS.sleep(2); // let the last messages arrive before reading the figures
            bench.printLatency(rate);
            bench.chartLatency(rate);
            bench.blast(blastSeconds, redis);
        } finally {
            redisClient.shutdown();
        }
    }

    private void paced(int rate, int seconds) throws Exception {
        int ticksPerSecond = 100;
        int votesPerTick = Math.max(1, rate / ticksPerSecond);
        try (Connection db = DriverManager.getConnection(jdbcUrl, user, "")) {
            db.setAutoCommit(false);
            long start = System.nanoTime();
            long tick = 0;
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                Poll poll = polls.get((int) (tick % polls.size()));
                vote(db, poll, votesPerTick, true);
                tick++;
                long next = start + tick * (1_000_000_000L / ticksPerSecond);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("paced: %d transactions, %.0f votes/s offered%n", tick, tick * votesPerTick / elapsed);
        }
    }

    private void blast(int seconds, StatefulRedisConnection<String, String> redis) throws Exception {
        AtomicLong countChanges = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long start = System.nanoTime();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            Thread writer = new Thread(() -> {
                try (Connection db = DriverManager.getConnection(jdbcUrl, user, "")) {
                    db.setAutoCommit(false);
                    while (System.nanoTime() < end) {
                        Poll poll = polls.get(ThreadLocalRandom.current().nextInt(polls.size()));
                        countChanges.addAndGet(vote(db, poll, 100, false));
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            writers.add(writer);
        }
        for (Thread writer : writers) {
            writer.join();
        }
        long lastCommit = System.nanoTime();
        Map<UUID, Map<String, String>> truth = new HashMap<>();
        for (Poll poll : polls) {
            truth.put(poll.pollId(), postgresCounts(poll));
        }
        while (!truth.entrySet().stream()
                .allMatch(e -> e.getValue().equals(redis.sync().hgetall(RedisKeys.counts(e.getKey()))))) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        long caughtUp = System.nanoTime();
        double elapsed = (caughtUp - start) / 1e9;
        System.out.printf(
                "throughput: %d choice_counts changes committed in %.1f s; Redis exact %.0f ms after the last commit%n",
                countChanges.get(), (lastCommit - start) / 1e9, (caughtUp - lastCommit) / 1e6);
        System.out.printf(
                "throughput: %.0f choice_counts changes/s from first commit to Redis exact%n",
                countChanges.get() / elapsed);
    }

    /** One ingester transaction; returns the number of choice_counts rows it changed. */
    private int vote(Connection db, Poll poll, int votes, boolean track) throws SQLException {
        StringBuilder sql = new StringBuilder(
                "INSERT INTO responses (response_id, poll_id, question_id, choice_id, user_id, vote_id, submitted_at) VALUES ");
        Timestamp now = Timestamp.from(Instant.now());
        List<Object> params = new ArrayList<>(votes * 7);
        for (int v = 0; v < votes; v++) {
            sql.append(v == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?)");
            params.addAll(List.of(
                    UUID.randomUUID(),
                    poll.pollId(),
                    poll.questionId(),
                    poll.choiceIds().get(ThreadLocalRandom.current().nextInt(CHOICES)),
                    UUID.randomUUID(),
                    UUID.randomUUID(),
                    now));
        }
        sql.append(" ON CONFLICT DO NOTHING RETURNING choice_id");
        Map<UUID, Integer> inserted = new HashMap<>();
        try (PreparedStatement insert = db.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                insert.setObject(i + 1, params.get(i));
            }
            try (ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    inserted.merge(rows.getObject(1, UUID.class), 1, Integer::sum);
                }
            }
        }
        try (PreparedStatement update =
                db.prepareStatement("UPDATE choice_counts SET count = count + ? WHERE choice_id = ?")) {
            for (Map.Entry<UUID, Integer> entry : inserted.entrySet()) {
                update.setLong(1, entry.getValue());
                update.setObject(2, entry.getKey());
                update.addBatch();
            }
            update.executeBatch();
        }
        if (track) {
            // the version that covers this commit, known before the commit so a fast message cannot miss it
            // {covering version, commit returned, message received}: queued before the commit so a fast
            // message cannot miss it
            long covering = committedVotes.get(poll.pollId()).addAndGet(votes);
            long[] pending = {covering, 0, 0};
            pendingCommits.get(poll.pollId()).add(pending);
            db.commit();
            pending[1] = System.nanoTime();
        } else {
            db.commit();
        }
        return inserted.size();
    }

    private void onResults(String message, long receivedNanos) {
        JsonNode results = PollsterJson.mapper().readTree(message);
        UUID pollId = UUID.fromString(results.get("poll_id").asString());
        long version = results.get("version").asLong();
        ConcurrentLinkedDeque<long[]> pending = pendingCommits.get(pollId);
        if (pending == null) {
            return;
        }
        long[] head;
        while ((head = pending.peek()) != null && head[0] <= version) {
            pending.poll();
            head[2] = receivedNanos;
            delivered.add(head);
        }
    }

    private void printLatency(int rate) {
        // the message can beat the commit's return to this client: such a commit counts as 0
        long[] sorted = measured().mapToLong(d -> Math.max(0, d[2] - d[1])).toArray();
        Arrays.sort(sorted);
        if (sorted.length == 0) {
            System.out.println("latency: no Results message arrived: is the projector running?");
            return;
        }
        long unmatched =
                pendingCommits.values().stream().mapToLong(d -> d.size()).sum();
        System.out.printf(
                "latency commit->publish at %d votes/s over %d commits: p50 %.1f ms, p99 %.1f ms, max %.1f ms"
                        + " (%d commits never covered)%n",
                rate,
                sorted.length,
                percentile(sorted, 0.50) / 1e6,
                percentile(sorted, 0.99) / 1e6,
                sorted[sorted.length - 1] / 1e6,
                unmatched);
    }

    /** Delivered commits of the measured window: {version, committed at, delivered at}. */
    private java.util.stream.Stream<long[]> measured() {
        return delivered.stream().filter(d -> d[1] >= measuredFrom);
    }

    private void chartLatency(int rate) {
        LatencyHistogram histogram = new LatencyHistogram();
        Timeline timeline = new Timeline(measuredFrom);
        for (long[] commit : measured().toList()) {
            histogram.add(Math.max(0, commit[2] - commit[1]));
            timeline.add(commit[2]);
        }
        BenchChart.write(
                "cdc",
                String.format("CDC at %d votes/s", rate),
                histogram,
                "commit → Redis publish",
                timeline,
                "commits published");
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private Map<String, String> postgresCounts(Poll poll) throws SQLException {
        Map<String, String> counts = new HashMap<>();
        try (Connection db = DriverManager.getConnection(jdbcUrl, user, "");
                PreparedStatement select =
                        db.prepareStatement("SELECT choice_id, count FROM choice_counts WHERE poll_id = ?")) {
            select.setObject(1, poll.pollId());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    counts.put(RedisKeys.choiceField(rows.getObject(1, UUID.class)), Long.toString(rows.getLong(2)));
                }
            }
        }
        return counts;
    }

    private void createPolls(int count) throws SQLException {
        try (Connection db = DriverManager.getConnection(jdbcUrl, user, "")) {
            db.setAutoCommit(false);
            for (int p = 0; p < count; p++) {
                UUID pollId = UUID.randomUUID();
                UUID questionId = UUID.randomUUID();
                List<UUID> choices = new ArrayList<>();
                update(
                        db,
                        "INSERT INTO polls (poll_id, creator_id, title, unique_slug) VALUES (?, ?, 'CDC bench', ?)",
                        pollId,
                        UUID.randomUUID(),
                        "cdc-bench-" + pollId);
                update(
                        db,
                        "INSERT INTO questions (question_id, poll_id, question_text, \"order\") VALUES (?, ?, 'Pick', 0)",
                        questionId,
                        pollId);
                for (int c = 0; c < CHOICES; c++) {
                    UUID choiceId = UUID.randomUUID();
                    choices.add(choiceId);
                    update(
                            db,
                            "INSERT INTO choices (choice_id, question_id, choice_text, position) VALUES (?, ?, ?, ?)",
                            choiceId,
                            questionId,
                            "choice " + c,
                            c);
                    update(
                            db,
                            "INSERT INTO choice_counts (choice_id, poll_id, question_id, count) VALUES (?, ?, ?, 0)",
                            choiceId,
                            pollId,
                            questionId);
                }
                db.commit();
                polls.add(new Poll(pollId, questionId, choices));
                pendingCommits.put(pollId, new ConcurrentLinkedDeque<>());
                committedVotes.put(pollId, new AtomicLong());
            }
        }
    }

    private static void update(Connection db, String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            statement.executeUpdate();
        }
    }
}
