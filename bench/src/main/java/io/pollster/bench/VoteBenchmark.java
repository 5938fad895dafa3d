package io.pollster.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.RedisKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * Votes per second through Pollster's HTTP API against a running standalone, beside two references
 * measured in the same run:
 *
 * <ul>
 *   <li>raw ceiling: the same number of response rows as multi-row INSERTs straight into PostgreSQL,
 *       one transaction per batch, as fast as one connection goes;
 *   <li>synchronous peer: an HTTP handler in this process (com.sun.net.httpserver + a JDBC pool) that
 *       INSERTs the responses and UPDATEs the counters inside each request, as simple polling apps do.
 * </ul>
 *
 * <p>A fourth phase, {@code null}, measures what this load generator gets from a server that does
 * nothing but answer 202: the HTTP ceiling of the machine, client included.
 *
 * <p>Each phase that drives HTTP is charted as {@code bench/target/vote-<phase>.png}. Arguments
 * ({@link BenchArgs}): {@code phases} (pollster,ingest,raw,peer; add null), {@code base}, {@code redis}
 * and {@code jdbc} of a running server (without {@code base} it starts its own, {@link BenchTarget}), {@code shards} (8, as the
 * server), {@code rows} of the ingest and raw phases (300000), {@code server-pid} (to report the
 * server's CPU per vote), {@code drain} longest wait in seconds for the ingester to catch up after
 * the load (120; 0 when the server runs without its ingester), {@code project} longest wait in seconds for
 * the projector to bring the Redis counts level with PostgreSQL after that (60; 0 without a projector), {@code db-user} (postgres), {@code seconds} measured
 * per phase (20), {@code warmup} seconds (5), {@code concurrency} connections (64), {@code peer-port}
 * (any free port), {@code peer-pool} JDBC connections of the peer (16), {@code batch} rows per INSERT of the
 * raw ceiling (500).
 */
public final class VoteBenchmark {

    private static final int QUESTIONS = 3;
    private static final int CHOICES = 4;

    private final BenchArgs args;
    private final String jdbcUrl;
    private final String dbUser;
    private final CpuSplit cpu;
    private RedisClient countsClient;
    private StatefulRedisConnection<String, String> countsConnection;

    private VoteBenchmark(BenchArgs args) {
        this.args = args;
        this.cpu = CpuSplit.of(args);
        this.jdbcUrl = arg("jdbc", "jdbc:postgresql://localhost:18085/postgres");
        this.dbUser = arg("db-user", "postgres");
    }

    public static void main(String[] argv) throws Exception {
        try (BenchTarget target = BenchTarget.open(BenchArgs.parse(argv))) {
            new VoteBenchmark(target.args()).run();
        }
        System.exit(0);
    }

    private String arg(String name, String fallback) {
        return args.string(name, fallback);
    }

    private int intArg(String name, int fallback) {
        return args.integer(name, fallback);
    }

    private void run() throws Exception {
        URI base = URI.create(arg("base", "http://localhost:18084"));
        int seconds = intArg("seconds", 20);
        int warmup = intArg("warmup", 5);
        int concurrency = intArg("concurrency", 64);
        List<String> phases = List.of(arg("phases", "pollster,ingest,raw,peer").split(","));
        System.out.printf(
                "Vote benchmark: %d connections, %d s warm-up + %d s measured per phase, %d cores, load average %s%n",
                concurrency, warmup, seconds, Runtime.getRuntime().availableProcessors(), loadAverage());
        Double accepted = null;
        Double ingest = null;
        Double raw = null;
        Double peerRate = null;
        Double machineCpuPerVote = null;

        if (phases.contains("pollster")) {
            // Pollster: POST /votes over HTTP, the ingester draining into PostgreSQL behind it
            Poll pollster = createPoll();
            long rowsBefore = responses(pollster.id());
            long cpuBefore = serverCpuNanos();
            Load load = drive(
                    "pollster",
                    base,
                    "/api/polls/" + pollster.id() + "/votes",
                    pollster,
                    concurrency,
                    warmup,
                    seconds,
                    202);
            long cpuAfter = serverCpuNanos();
            long rowsAfterWindow = responses(pollster.id());
            long expectedRows = load.totalOk() * QUESTIONS;
            long drainStart = System.nanoTime();
            long drainLimit = intArg("drain", 120) * 1_000_000_000L;
            while (responses(pollster.id()) < expectedRows && System.nanoTime() - drainStart < drainLimit) {
                Thread.sleep(50);
            }
            double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            long rowsFinal = responses(pollster.id());
            // and projected: the counts the viewers read, in Redis, hold every row
            long projectStart = System.nanoTime();
            long projectLimit = intArg("project", 60) * 1_000_000_000L;
            while (projectedRows(pollster.id()) < rowsFinal && System.nanoTime() - projectStart < projectLimit) {
                Thread.sleep(50);
            }
            CpuSplit.Snapshot cpuDone = cpu.take();
            long projected = projectedRows(pollster.id());
            countsConnection.close();
            countsClient.shutdown();
            accepted = load.okPerSecond();
            System.out.printf(
                    "pollster        accepted %,10.0f votes/s  p50 %6.2f ms  p99 %6.2f ms  (%d refused, %d errors)%n",
                    load.okPerSecond(), load.p50(), load.p99(), load.otherStatus(), load.errors());
            load.chart();
            System.out.printf(
                    "pollster ingest %,10.0f rows/s during the load; all %,d of %,d rows in PostgreSQL %.1f s after it ended%n",
                    (rowsAfterWindow - load.rowsAtWindowStart()) / load.windowSeconds(),
                    rowsFinal - rowsBefore,
                    expectedRows,
                    drainSeconds);
            if (cpuBefore >= 0) {
                System.out.printf(
                        "pollster server CPU %.3f ms per accepted vote (HTTP + Lua + ingest), %.2f cores busy%n",
                        (cpuAfter - cpuBefore) / 1e6 / load.totalOk(),
                        (cpuAfter - cpuBefore) / 1e9 / load.totalSeconds());
            }
            System.out.printf("pollster counters = COUNT(*) per choice: %s%n", countersMatch(pollster.id()));
            System.out.printf(
                    "pollster projected %,d of %,d rows into the Redis counts %.1f s after they were all in PostgreSQL%n",
                    projected, rowsFinal - rowsBefore, (System.nanoTime() - projectStart) / 1e9);
            // from the measured window's start until its votes are in PostgreSQL and projected
            long votes = load.totalOk() - load.okAtWindowStart();
            CpuSplit.print(
                    "pollster",
                    load.cpuAtWindowStart(),
                    cpuDone,
                    votes,
                    (System.nanoTime() - load.windowStartNanos()) / 1e9);
            machineCpuPerVote = (cpuDone.machine() - load.cpuAtWindowStart().machine()) / 1e6 / votes;
        }

        int rows = intArg("rows", 300_000);
        if (phases.contains("ingest")) {
            // ingest capacity: a stream filled faster than the ingester drains it
            Poll backlog = createPoll();
            ingest = ingestCapacity(backlog, rows);
            System.out.printf(
                    "ingest capacity %,10.0f rows/s (%,d rows XADDed straight into the stream)%n", ingest, rows);
            System.out.printf("ingest counters = COUNT(*) per choice: %s%n", countersMatch(backlog.id()));
        }

        if (phases.contains("raw")) {
            // raw ceiling: the same rows, multi-row INSERTs straight into PostgreSQL
            raw = rawCeiling(createPoll(), rows, intArg("batch", 500));
            System.out.printf(
                    "raw ceiling     %,10.0f rows/s (%,d rows, multi-row INSERT, %d per statement and transaction)%n",
                    raw, rows, intArg("batch", 500));
        }

        if (phases.contains("peer")) {
            // synchronous peer: INSERT + counter UPDATE inside each HTTP request
            Poll peer = createPoll();
            HttpServer server = startPeer(intArg("peer-port", 0), intArg("peer-pool", 16));
            int peerPort = server.getAddress().getPort();
            try {
                Load peerLoad = drive(
                        "peer",
                        URI.create("http://localhost:" + peerPort),
                        "/votes",
                        peer,
                        concurrency,
                        warmup,
                        seconds,
                        201);
                peerRate = peerLoad.okPerSecond();
                // the peer answers only once its rows are committed: nothing is left to drain
                CpuSplit.print(
                        "sync peer",
                        peerLoad.cpuAtWindowStart(),
                        cpu.take(),
                        peerLoad.totalOk() - peerLoad.okAtWindowStart(),
                        (System.nanoTime() - peerLoad.windowStartNanos()) / 1e9);
                System.out.printf(
                        "sync peer       accepted %,10.0f votes/s  p50 %6.2f ms  p99 %6.2f ms  (%d refused, %d errors)%n",
                        peerLoad.okPerSecond(),
                        peerLoad.p50(),
                        peerLoad.p99(),
                        peerLoad.otherStatus(),
                        peerLoad.errors());
                peerLoad.chart();
            } finally {
                server.stop(0);
            }
        }
        if (phases.contains("null")) {
            // HTTP ceiling: a server that reads each request and answers 202 without doing anything
            Poll unused = createPoll();
            byte[] answer = ("{\"vote_id\":\"" + UUID.randomUUID() + "\",\"status\":\"accepted\"}")
                    .getBytes(StandardCharsets.UTF_8);
            HttpServer server = DoNothingServer.start(intArg("null-port", 0), "/null", 202, answer);
            int nullPort = server.getAddress().getPort();
            try {
                Load nullLoad = drive(
                        "null",
                        URI.create("http://localhost:" + nullPort),
                        "/null",
                        unused,
                        concurrency,
                        warmup,
                        seconds,
                        202);
                System.out.printf(
                        "http ceiling    answered %,10.0f requests/s  p50 %6.2f ms  p99 %6.2f ms"
                                + " (a do-nothing JDK HTTP server in this process: what this client and loopback allow)%n",
                        nullLoad.okPerSecond(), nullLoad.p50(), nullLoad.p99());
                nullLoad.chart();
            } finally {
                server.stop(0);
            }
        }
        if (machineCpuPerVote != null) {
            System.out.printf(
                    "summary: the machine spends %.3f ms of CPU per accepted and projected vote (target: at most 0.45 ms)%n",
                    machineCpuPerVote);
        }
        if (accepted != null && raw != null) {
            System.out.printf(
                    "summary: pollster accepts %.0f%% of the raw ceiling in votes (%,.0f of %,.0f votes/s of %d answers; target: at least 50%%)%n",
                    100 * accepted / (raw / QUESTIONS), accepted, raw / QUESTIONS, QUESTIONS);
        }
        if (accepted != null && peerRate != null) {
            System.out.printf(
                    "summary: pollster accepts x%.2f the votes/s of the synchronous peer (target: at least x5)%n",
                    accepted / peerRate);
        }
        if (ingest != null && raw != null) {
            System.out.printf("summary: ingest capacity = %.0f%% of the raw ceiling%n", 100 * ingest / raw);
        }
        System.out.printf("load average at the end: %s%n", loadAverage());
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                    .trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** User + system CPU time of the server process ({@code --server-pid}), or -1. */
    private long serverCpuNanos() {
        String pid = args.optional("server-pid").orElse(null);
        if (pid == null) {
            return -1;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of /proc/pid/stat (utime, stime), in clock ticks (100 Hz on Linux)
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 10_000_000L;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Fills the poll's shard stream with the votes of {@code rows} answers (one entry per vote of 3
     * answers, as the Lua script writes them, pipelined) and measures from the first XADD until
     * PostgreSQL holds every row.
     */
    private double ingestCapacity(Poll poll, int rows) throws Exception {
        int shards = intArg("shards", 8);
        int shard = new io.pollster.core.redis.Shards(shards).of(poll.id());
        String stream = io.pollster.core.redis.RedisKeys.voteStream(shard);
        io.lettuce.core.RedisClient client =
                io.lettuce.core.RedisClient.create(arg("redis", "redis://localhost:18086"));
        try (io.lettuce.core.api.StatefulRedisConnection<String, String> connection = client.connect()) {
            io.lettuce.core.api.async.RedisAsyncCommands<String, String> redis = connection.async();
            connection.setAutoFlushCommands(false);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long start = System.nanoTime();
            List<io.lettuce.core.RedisFuture<String>> pending = new ArrayList<>();
            String now = java.time.Instant.now().toString();
            java.time.Instant submitted = java.time.Instant.parse(now);
            for (int written = 0; written < rows; ) {
                // one entry per vote carrying all its answers, as the Lua script writes it
                List<io.pollster.core.events.AcceptedVote.Answer> answers = new ArrayList<>(QUESTIONS);
                for (int q = 0; q < QUESTIONS && written < rows; q++, written++) {
                    answers.add(new io.pollster.core.events.AcceptedVote.Answer(
                            poll.questions()[q], poll.choices()[q][random.nextInt(CHOICES)]));
                }
                pending.add(redis.xadd(
                        stream,
                        io.pollster.core.vote.VoteStreamEntry.fields(new io.pollster.core.events.AcceptedVote(
                                io.pollster.core.vote.VoteIds.mint(java.time.Instant.now()),
                                poll.id(),
                                UUID.randomUUID(),
                                submitted,
                                null,
                                answers))));
                if (pending.size() >= 3_000) {
                    connection.flushCommands();
                    for (io.lettuce.core.RedisFuture<String> f : pending) {
                        f.get();
                    }
                    pending.clear();
                }
            }
            connection.flushCommands();
            for (io.lettuce.core.RedisFuture<String> f : pending) {
                f.get();
            }
            long filledAt = System.nanoTime();
            long rowsAtFill = responses(poll.id());
            while (responses(poll.id()) < rows && System.nanoTime() - start < 300_000_000_000L) {
                Thread.sleep(20);
            }
            long drainedAt = System.nanoTime();
            double seconds = (drainedAt - start) / 1e9;
            double afterFill = (drainedAt - filledAt) / 1e9;
            System.out.printf(
                    "ingest: stream filled in %.1f s (%,d rows already ingested), drained into PostgreSQL %.1f s later;"
                            + " overall %,.0f rows/s%n",
                    (filledAt - start) / 1e9, rowsAtFill, afterFill, responses(poll.id()) / seconds);
            // while the stream is being filled the ingester can only go as fast as the filler: its own
            // capacity is the drain rate of the backlog left once the fill is done
            if (rows - rowsAtFill >= rows / 5) {
                return (rows - rowsAtFill) / afterFill;
            }
            return responses(poll.id()) / seconds;
        } finally {
            client.shutdown();
        }
    }

    // ---- load generation --------------------------------------------------------------------

    /** Votes as fast as {@code concurrency} connections go; the measured window is charted as vote-{phase}.png. */
    private Load drive(
            String phase, URI base, String path, Poll poll, int concurrency, int warmup, int seconds, int okStatus)
            throws InterruptedException, SQLException {
        long start = System.nanoTime();
        long windowStart = start + warmup * 1_000_000_000L;
        long end = windowStart + seconds * 1_000_000_000L;
        LatencyHistogram histogram = new LatencyHistogram();
        Timeline timeline = new Timeline(windowStart);
        AtomicLong totalOk = new AtomicLong();
        AtomicLong windowOk = new AtomicLong();
        AtomicLong other = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            long[] mine = new long[4_000_000 / concurrency];
            latencies.add(mine);
            Thread thread = new Thread(() -> {
                int recorded = 0;
                try (KeepAliveHttp http = new KeepAliveHttp(base)) {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (true) {
                        long sent = System.nanoTime();
                        if (sent >= end) {
                            break;
                        }
                        byte[] body = poll.body(random);
                        int status;
                        try {
                            status = http.post(path, UUID.randomUUID().toString(), body);
                        } catch (IOException e) {
                            errors.incrementAndGet();
                            continue;
                        }
                        long done = System.nanoTime();
                        if (status == okStatus) {
                            totalOk.incrementAndGet();
                            if (sent >= windowStart && done <= end) {
                                windowOk.incrementAndGet();
                                histogram.add(done - sent);
                                timeline.add(done);
                                if (recorded < mine.length) {
                                    mine[recorded++] = done - sent;
                                }
                            }
                        } else {
                            other.incrementAndGet();
                        }
                    }
                }
                if (recorded < mine.length) {
                    mine[recorded] = -1;
                }
            });
            threads.add(thread);
            thread.start();
        }
        // rows in PostgreSQL when the measured window opens, to measure ingest over the same window
        long rowsAtWindowStart = 0;
        while (System.nanoTime() < windowStart) {
            Thread.sleep(10);
        }
        rowsAtWindowStart = responses(poll.id());
        CpuSplit.Snapshot cpuAtWindowStart = cpu.take();
        long okAtWindowStart = totalOk.get();
        for (Thread thread : threads) {
            thread.join();
        }
        long[] all = latencies.stream()
                .flatMapToLong(a -> Arrays.stream(a).takeWhile(v -> v > 0))
                .sorted()
                .toArray();
        return new Load(
                phase,
                concurrency,
                okStatus,
                histogram,
                timeline,
                totalOk.get(),
                windowOk.get(),
                other.get(),
                errors.get(),
                seconds,
                (System.nanoTime() - start) / 1e9,
                all,
                rowsAtWindowStart,
                windowStart,
                cpuAtWindowStart,
                okAtWindowStart);
    }

    private record Load(
            String phase,
            int concurrency,
            int okStatus,
            LatencyHistogram histogram,
            Timeline timeline,
            long totalOk,
            long windowOk,
            long otherStatus,
            long errors,
            double windowSeconds,
            double totalSeconds,
            long[] sortedNanos,
            long rowsAtWindowStart,
            long windowStartNanos,
            CpuSplit.Snapshot cpuAtWindowStart,
            long okAtWindowStart) {
        double okPerSecond() {
            return windowOk / windowSeconds;
        }

        /** The measured window as {@code bench/target/vote-<phase>.png}. */
        void chart() {
            BenchChart.write(
                    "vote-" + phase,
                    String.format("votes (%s), %d connections", phase, concurrency),
                    histogram,
                    "request → " + okStatus,
                    timeline,
                    "accepted votes");
        }

        double p50() {
            return percentile(0.50);
        }

        double p99() {
            return percentile(0.99);
        }

        private double percentile(double p) {
            if (sortedNanos.length == 0) {
                return Double.NaN;
            }
            return sortedNanos[(int) Math.min(sortedNanos.length - 1, Math.floor(p * sortedNanos.length))] / 1e6;
        }
    }

    // ---- the poll ---------------------------------------------------------------------------

    private record Poll(UUID id, UUID[] questions, UUID[][] choices) {
        byte[] body(ThreadLocalRandom random) {
            StringBuilder json = new StringBuilder(320).append("{\"answers\":[");
            for (int q = 0; q < questions.length; q++) {
                if (q > 0) {
                    json.append(',');
                }
                json.append("{\"question_id\":\"")
                        .append(questions[q])
                        .append("\",\"choice_id\":\"")
                        .append(choices[q][random.nextInt(choices[q].length)])
                        .append("\"}");
            }
            return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, dbUser, arg("db-password", ""));
    }

    /** A poll as POST /api/polls leaves it: questions, choices and counters at 0. */
    private Poll createPoll() throws SQLException {
        UUID pollId = UUID.randomUUID();
        UUID[] questions = new UUID[QUESTIONS];
        UUID[][] choices = new UUID[QUESTIONS][CHOICES];
        try (Connection c = connect()) {
            // one transaction, as the API creates polls: the projector sees the poll whole or not at all
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO polls (poll_id, creator_id, title, unique_slug) VALUES (?, ?, ?, ?)")) {
                ps.setObject(1, pollId);
                ps.setObject(2, UUID.randomUUID());
                ps.setString(3, "Benchmark poll");
                ps.setString(4, "bench-" + pollId);
                ps.executeUpdate();
            }
            for (int q = 0; q < QUESTIONS; q++) {
                questions[q] = UUID.randomUUID();
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO questions (question_id, poll_id, question_text, \"order\") VALUES (?, ?, ?, ?)")) {
                    ps.setObject(1, questions[q]);
                    ps.setObject(2, pollId);
                    ps.setString(3, "Question " + q);
                    ps.setInt(4, q);
                    ps.executeUpdate();
                }
                for (int ch = 0; ch < CHOICES; ch++) {
                    choices[q][ch] = UUID.randomUUID();
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO choices (choice_id, question_id, choice_text, position) VALUES (?, ?, ?, ?)")) {
                        ps.setObject(1, choices[q][ch]);
                        ps.setObject(2, questions[q]);
                        ps.setString(3, "Choice " + ch);
                        ps.setInt(4, ch);
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO choice_counts (choice_id, poll_id, question_id, count) VALUES (?, ?, ?, 0)")) {
                        ps.setObject(1, choices[q][ch]);
                        ps.setObject(2, pollId);
                        ps.setObject(3, questions[q]);
                        ps.executeUpdate();
                    }
                }
            }
            c.commit();
        }
        return new Poll(pollId, questions, choices);
    }

    /** The responses the Redis counts of the poll hold: the sum of its choice fields (what viewers read). */
    private long projectedRows(UUID pollId) {
        if (countsClient == null) {
            countsClient = RedisClient.create(arg("redis", "redis://localhost:18086"));
            countsConnection = countsClient.connect();
        }
        return countsConnection.sync().hgetall(RedisKeys.counts(pollId)).entrySet().stream()
                .filter(field -> RedisKeys.isChoiceField(field.getKey()))
                .mapToLong(field -> Long.parseLong(field.getValue()))
                .sum();
    }

    private long responses(UUID pollId) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM responses WHERE poll_id = ?")) {
            ps.setObject(1, pollId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private boolean countersMatch(UUID pollId) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement(
                        """
                        SELECT count(*) FROM choice_counts cc
                        WHERE cc.poll_id = ?
                          AND cc.count <> (SELECT count(*) FROM responses r WHERE r.choice_id = cc.choice_id)
                        """)) {
            ps.setObject(1, pollId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 0;
            }
        }
    }

    // ---- raw ceiling ------------------------------------------------------------------------

    private double rawCeiling(Poll poll, long rows, int batch) throws SQLException {
        StringBuilder sql = new StringBuilder(
                "INSERT INTO responses (response_id, poll_id, question_id, choice_id, user_id, vote_id, submitted_at) VALUES ");
        for (int i = 0; i < batch; i++) {
            sql.append(i == 0 ? "(?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?)");
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        OffsetDateTime now = OffsetDateTime.now();
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement(sql.toString())) {
            c.setAutoCommit(true);
            long start = System.nanoTime();
            long written = 0;
            UUID user = null;
            UUID vote = null;
            while (written < rows) {
                int p = 1;
                for (int i = 0; i < batch; i++, written++) {
                    int q = (int) (written % QUESTIONS);
                    if (q == 0) {
                        user = UUID.randomUUID();
                        vote = UUID.randomUUID();
                    }
                    ps.setObject(p++, UUID.randomUUID());
                    ps.setObject(p++, poll.id());
                    ps.setObject(p++, poll.questions()[q]);
                    ps.setObject(p++, poll.choices()[q][random.nextInt(CHOICES)]);
                    ps.setObject(p++, user);
                    ps.setObject(p++, vote);
                    ps.setObject(p++, now);
                }
                ps.executeUpdate();
            }
            return written / ((System.nanoTime() - start) / 1e9);
        }
    }

    // ---- synchronous peer -------------------------------------------------------------------

    /** The peer: per request, the poll looked up, its responses inserted and its counters updated in one transaction. */
    private HttpServer startPeer(int port, int poolSize) throws IOException, SQLException {
        DoNothingServer.noDelay();
        BlockingQueue<Connection> pool = new ArrayBlockingQueue<>(poolSize);
        for (int i = 0; i < poolSize; i++) {
            Connection c = connect();
            c.setAutoCommit(false);
            pool.add(c);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 1024);
        ExecutorService executor = Executors.newFixedThreadPool(64);
        server.setExecutor(executor);
        server.createContext("/votes", exchange -> {
            try {
                syncVote(exchange, pool);
            } catch (Exception e) {
                respond(exchange, 500, "{\"error\":\"" + e.getClass().getSimpleName() + "\"}");
            }
        });
        server.start();
        return server;
    }

    /** What a simple polling app does: one transaction per request, responses then counters. */
    private static void syncVote(HttpExchange exchange, BlockingQueue<Connection> pool) throws Exception {
        JsonNode answers = PollsterJson.mapper()
                .readTree(exchange.getRequestBody().readAllBytes())
                .get("answers");
        UUID user = UUID.fromString(exchange.getRequestHeaders().getFirst("X-User-Id"));
        UUID vote = UUID.randomUUID();
        List<UUID[]> rows = new ArrayList<>();
        for (JsonNode answer : answers) {
            rows.add(new UUID[] {
                UUID.fromString(answer.get("question_id").asString()),
                UUID.fromString(answer.get("choice_id").asString())
            });
        }
        Connection c = pool.take();
        try {
            UUID pollId;
            try (PreparedStatement ps = c.prepareStatement("SELECT poll_id FROM questions WHERE question_id = ?")) {
                ps.setObject(1, rows.get(0)[0]);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    pollId = rs.getObject(1, UUID.class);
                }
            }
            try (PreparedStatement insert = c.prepareStatement(
                            """
                            INSERT INTO responses (response_id, poll_id, question_id, choice_id, user_id, vote_id, submitted_at)
                            VALUES (?, ?, ?, ?, ?, ?, now()) ON CONFLICT DO NOTHING
                            """);
                    PreparedStatement count =
                            c.prepareStatement("UPDATE choice_counts SET count = count + 1 WHERE choice_id = ?")) {
                rows.sort((a, b) -> a[1].compareTo(b[1]));
                for (UUID[] row : rows) {
                    insert.setObject(1, UUID.randomUUID());
                    insert.setObject(2, pollId);
                    insert.setObject(3, row[0]);
                    insert.setObject(4, row[1]);
                    insert.setObject(5, user);
                    insert.setObject(6, vote);
                    if (insert.executeUpdate() == 1) {
                        count.setObject(1, row[1]);
                        count.executeUpdate();
                    }
                }
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            pool.put(c);
        }
        respond(exchange, 201, "{\"vote_id\":\"" + vote + "\",\"status\":\"recorded\"}");
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
