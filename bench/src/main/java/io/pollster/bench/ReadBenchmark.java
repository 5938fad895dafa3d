package io.pollster.bench;

import com.sun.net.httpserver.HttpServer;
import io.pollster.core.json.PollsterJson;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.JsonNode;

/**
 * Concurrent {@code GET /api/polls/{id}/results} of one hot poll, printing requests/s and latency
 * percentiles and charting both ({@code bench/target/read.png}).
 *
 * <pre>
 * ./mvnw -B -q -Pbench -pl bench -am verify -DskipTests -Dbench=ReadBenchmark \
 *   -Dbench.args="--connections=16 --warmup=10 --seconds=20"
 * </pre>
 *
 * Without {@code --base} it starts its own standalone ({@link BenchTarget}). It creates a poll through
 * the API and, given {@code --jdbc} (and {@code --db-user}, postgres), gives its choices counts directly
 * in {@code choice_counts} (what the ingester would have done). The load generator is deliberately lean
 * (one blocking keep-alive socket per connection, a pre-built request, no HTTP library) so that on a
 * small machine most of the CPU goes to the server being measured.
 */
public final class ReadBenchmark {

    private ReadBenchmark() {}

    public static void main(String[] argv) throws Exception {
        try (BenchTarget target = BenchTarget.open(BenchArgs.parse(argv))) {
            run(target.args());
        }
    }

    private static void run(BenchArgs options) throws Exception {
        URI base = URI.create(options.string("base", null));
        int connections = options.integer("connections", 16);
        int warmupSeconds = options.integer("warmup", 5);
        int seconds = options.integer("seconds", 20);

        JsonNode poll = createPoll(base);
        String pollId = poll.get("poll_id").asString();
        if (options.has("jdbc")) {
            seedCounts(options.string("jdbc", null), options.string("db-user", "postgres"), poll);
        }
        String path = "/api/polls/" + pollId + "/results";
        System.out.printf("poll %s, GET %s, %d connections%n", pollId, path, connections);
        String answer = fetchOnce(base, path);
        System.out.println("first answer: " + answer);

        CpuSplit cpu = CpuSplit.of(options);
        run(base, path, connections, Duration.ofSeconds(warmupSeconds));
        CpuSplit.Snapshot before = cpu.take();
        Result result = run(base, path, connections, Duration.ofSeconds(seconds));
        CpuSplit.print("reads:", before, cpu.take(), Math.max(1, result.latencies().length), "read", result.seconds());
        report(result, connections, "read", "GET results");

        // the HTTP ceiling in the same run: the same client, the same answer, a server that does nothing
        HttpServer ceiling = DoNothingServer.start(0, "/null", 200, answer.getBytes(StandardCharsets.UTF_8));
        try {
            URI nullBase = URI.create("http://localhost:" + ceiling.getAddress().getPort());
            run(nullBase, "/null", connections, Duration.ofSeconds(warmupSeconds));
            Result nothing = run(nullBase, "/null", connections, Duration.ofSeconds(seconds));
            System.out.println("http ceiling (a do-nothing JDK HTTP server in this process, the same answer):");
            report(nothing, connections, "read-null", "GET of a do-nothing server");
            double reads = result.latencies().length / result.seconds();
            double most = nothing.latencies().length / nothing.seconds();
            System.out.printf(
                    "summary: cached reads reach %.0f%% of the HTTP ceiling (%,.0f of %,.0f requests/s; target: at least 30%%)%n",
                    100 * reads / most, reads, most);
        } finally {
            ceiling.stop(0);
        }
    }

    private static void report(Result result, int connections, String chart, String what) {
        long[] latencies = result.latencies();
        Arrays.sort(latencies);
        System.out.printf(
                "requests: %d in %.1f s, errors: %d%nthroughput: %.0f requests/s%n"
                        + "latency ms: p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.2f, max %.2f%n",
                latencies.length,
                result.seconds(),
                result.errors(),
                latencies.length / result.seconds(),
                millis(percentile(latencies, 50)),
                millis(percentile(latencies, 90)),
                millis(percentile(latencies, 99)),
                millis(percentile(latencies, 99.9)),
                millis(latencies.length == 0 ? 0 : latencies[latencies.length - 1]));
        BenchChart.write(
                chart,
                String.format("%s, %d connections", what, connections),
                result.histogram(),
                "request → response",
                result.timeline(),
                "responses");
    }

    private static Result run(URI base, String path, int connections, Duration duration) throws InterruptedException {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                        + "\r\nAccept: application/json\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch done = new CountDownLatch(connections);
        LatencyHistogram histogram = new LatencyHistogram();
        long start = System.nanoTime();
        Timeline timeline = new Timeline(start);
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Worker worker = new Worker(base, request, running, done, histogram, timeline);
            workers.add(worker);
        }
        workers.forEach(w -> {
            Thread thread = new Thread(w, "read-bench");
            thread.setDaemon(true);
            thread.start();
        });
        Thread.sleep(duration.toMillis());
        running.set(false);
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        int total = workers.stream().mapToInt(w -> w.count).sum();
        long[] all = new long[total];
        int at = 0;
        long errors = 0;
        for (Worker worker : workers) {
            System.arraycopy(worker.latencies, 0, all, at, worker.count);
            at += worker.count;
            errors += worker.errors;
        }
        return new Result(all, seconds, errors, histogram, timeline);
    }

    private record Result(
            long[] latencies, double seconds, long errors, LatencyHistogram histogram, Timeline timeline) {}

    /** One keep-alive connection sending the same request as fast as answers come back. */
    private static final class Worker implements Runnable {

        private final URI base;
        private final byte[] request;
        private final AtomicBoolean running;
        private final CountDownLatch done;
        private final LatencyHistogram histogram;
        private final Timeline timeline;
        private long[] latencies = new long[1 << 16];
        private int count;
        private long errors;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Worker(
                URI base,
                byte[] request,
                AtomicBoolean running,
                CountDownLatch done,
                LatencyHistogram histogram,
                Timeline timeline) {
            this.base = base;
            this.request = request;
            this.running = running;
            this.done = done;
            this.histogram = histogram;
            this.timeline = timeline;
        }

        @Override
        public void run() {
            try {
                while (running.get()) {
                    long start = System.nanoTime();
                    try {
                        if (socket == null) {
                            connect();
                        }
                        out.write(request);
                        out.flush();
                        int status = readResponse();
                        if (status != 200) {
                            errors++;
                            continue;
                        }
                    } catch (IOException broken) {
                        errors++;
                        close();
                        continue;
                    }
                    long end = System.nanoTime();
                    record(end - start);
                    histogram.add(end - start);
                    timeline.add(end);
                }
            } finally {
                close();
                done.countDown();
            }
        }

        private void record(long nanos) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = nanos;
        }

        private void connect() throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }

        /** Reads one response (Content-Length or chunked body), closing the socket if the server asks. */
        private int readResponse() throws IOException {
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean closeAfter = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String lower = header.toLowerCase();
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    closeAfter = true;
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().trim(), 16);
                        size > 0;
                        size = Long.parseLong(line().trim(), 16)) {
                    skip(size);
                    line();
                }
                line();
            } else if (length > 0) {
                skip(length);
            }
            if (closeAfter) {
                close();
            }
            return status;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new EOFException();
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        private void skip(long bytes) throws IOException {
            while (bytes > 0) {
                long skipped = in.skip(bytes);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException();
                    }
                    skipped = 1;
                }
                bytes -= skipped;
            }
        }

        private void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a broken connection: nothing left to do
                }
                socket = null;
            }
        }
    }

    private static JsonNode createPoll(URI base) throws IOException, InterruptedException {
        String body =
                """
                {"title": "Read benchmark", "questions": [
                  {"text": "Best editor?", "choices": ["vim", "emacs", "nano", "helix"]},
                  {"text": "Tabs or spaces?", "choices": ["tabs", "spaces"]}]}
                """;
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve("/api/polls"))
                                .header("Content-Type", "application/json")
                                .header("X-User-Id", UUID.randomUUID().toString())
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(
                    "creating the poll failed: " + response.statusCode() + " " + response.body());
        }
        return PollsterJson.mapper().readTree(response.body());
    }

    /** Gives every choice a count, as the ingester would have after that many votes. */
    private static void seedCounts(String jdbcUrl, String user, JsonNode poll) throws SQLException {
        try (Connection db = DriverManager.getConnection(jdbcUrl, user, "");
                PreparedStatement update =
                        db.prepareStatement("UPDATE choice_counts SET count = ? WHERE choice_id = ?")) {
            long count = 1_000;
            for (JsonNode question : poll.get("questions")) {
                for (JsonNode choice : question.get("choices")) {
                    update.setLong(1, count);
                    update.setObject(2, UUID.fromString(choice.get("choice_id").asString()));
                    update.addBatch();
                    count += 1_234;
                }
            }
            update.executeBatch();
        }
    }

    private static String fetchOnce(URI base, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
