package io.pollster.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Pollster a benchmark measures. With {@code --base} it is the server already running there (and
 * {@code --jdbc}, {@code --redis}, {@code --server-pid} describe it). Without, a standalone jar is
 * started for the run, as its own process, on free ports and a temporary data directory, and stopped
 * (SIGTERM, then its directory deleted) when the benchmark ends.
 *
 * <p>Options for the started server: {@code --jar} (default: the {@code pollster.jar} system property
 * the Maven profile sets, else {@code standalone/target/pollster.jar}), {@code --server-jvm} (JVM options,
 * {@code -Xmx2g}), {@code --server-java} (the JDK to run it on: its home directory, e.g.
 * {@code /usr/lib/jvm/temurin-25-jdk-amd64}; default the benchmark's own), {@code --server-args} (Pollster options, e.g.
 * {@code "--pollster.cdc.response-events=false"}), {@code --keep-data} (keep the data directory).
 */
public final class BenchTarget implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

    private final BenchArgs args;
    private final Process server;
    private final Path dataDir;
    private final Thread cleanup;

    private BenchTarget(BenchArgs args, Process server, Path dataDir) {
        this.args = args;
        this.server = server;
        this.dataDir = dataDir;
        // a benchmark stopped with Ctrl-C must not leave its server running
        this.cleanup = new Thread(this::stopServer, "bench-server-stop");
        if (server != null) {
            Runtime.getRuntime().addShutdownHook(cleanup);
        }
    }

    /** The server named by {@code --base}, or a standalone started for this run. */
    public static BenchTarget open(BenchArgs args) throws IOException, InterruptedException {
        if (args.has("base")) {
            return new BenchTarget(args, null, null);
        }
        Path jar = Path.of(args.string("jar", System.getProperty("pollster.jar", "standalone/target/pollster.jar")));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no Pollster jar at " + jar.toAbsolutePath()
                    + ": build it (./mvnw -B -q package -DskipTests) or give --jar=<path> or --base=<url>");
        }
        int httpPort = freePort();
        int postgresPort = freePort();
        int redisPort = freePort();
        Path dataDir = Files.createTempDirectory("pollster-bench-");
        List<String> command = new ArrayList<>();
        command.add(Path.of(args.string("server-java", System.getProperty("java.home")), "bin", "java")
                .toString());
        command.addAll(split(args.string("server-jvm", "-Xmx2g")));
        command.addAll(List.of(
                "-jar",
                jar.toAbsolutePath().toString(),
                "--server.port=" + httpPort,
                "--pollster.embedded.data-dir=" + dataDir.resolve("data"),
                "--pollster.embedded.postgres-port=" + postgresPort,
                "--pollster.embedded.redis-port=" + redisPort,
                // every benchmark viewer connects from this one address
                "--pollster.live.max-connections-per-ip=100000"));
        command.addAll(split(args.string("server-args", "")));
        Path log = dataDir.resolve("server.log");
        System.out.printf("starting %s on port %d (data and log in %s)%n", jar.getFileName(), httpPort, dataDir);
        Process server = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        BenchTarget target = new BenchTarget(
                args.with(Map.of(
                        "base", "http://localhost:" + httpPort,
                        "jdbc", "jdbc:postgresql://localhost:" + postgresPort + "/postgres",
                        "redis", "redis://localhost:" + redisPort,
                        "server-pid", Long.toString(server.pid()))),
                server,
                dataDir);
        long started = System.nanoTime();
        target.awaitHealthy(log);
        System.out.printf("server pid %d healthy after %.1f s%n", server.pid(), (System.nanoTime() - started) / 1e9);
        return target;
    }

    /** The benchmark's arguments with {@code base}, {@code jdbc}, {@code redis} and {@code server-pid} of the started server. */
    public BenchArgs args() {
        return args;
    }

    private void awaitHealthy(Path log) throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI health = URI.create(args.string("base", "") + "/actuator/health");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                close();
                throw new IllegalStateException(
                        "the server exited with " + server.exitValue() + "; its log:\n" + tail(log));
            }
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(health)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        close();
        throw new IllegalStateException(
                "the server was not healthy within " + START_TIMEOUT + "; its log:\n" + tail(log));
    }

    @Override
    public void close() {
        if (server != null) {
            stopServer();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private synchronized void stopServer() {
        if (server.isAlive()) {
            server.destroy(); // SIGTERM: the server drains, then stops PostgreSQL and Redis cleanly
            try {
                if (!server.waitFor(60, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!args.flag("keep-data") && Files.isDirectory(dataDir)) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                System.out.println("could not delete " + dataDir + ": " + e);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static List<String> split(String words) {
        return words.isBlank() ? List.of() : List.of(words.trim().split("\\s+"));
    }

    private static String tail(Path log) {
        try {
            // lenient: the log may hold bytes that are not UTF-8
            List<String> lines = new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
