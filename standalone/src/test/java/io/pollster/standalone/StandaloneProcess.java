package io.pollster.standalone;

import static org.awaitility.Awaitility.await;

import io.pollster.core.json.PollsterJson;
import io.pollster.embedded.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The packaged standalone jar ({@code target/pollster.jar}) run as a child JVM, as a user runs it: on
 * a data directory and ports of its own, its output in a log file next to the data. The same instance
 * can be started again on the same data and ports after it was stopped or killed.
 */
final class StandaloneProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target", "pollster.jar").toAbsolutePath();
    private static final Path LOGS = Path.of("target", "standalone-logs").toAbsolutePath();
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    private final Path dataDir;
    private final int httpPort = freePort();
    private final int postgresPort = freePort();
    private final int redisPort = freePort();
    private final List<String> extraArguments;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private Process process;
    private Path log;
    private int starts;

    StandaloneProcess(Path workDir, String... extraArguments) {
        this.dataDir = workDir.resolve("data").toAbsolutePath();
        this.extraArguments = List.of(extraArguments);
    }

    /** Starts the jar and waits until its health is UP. */
    StandaloneProcess start() {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the package phase builds it before integration tests");
        }
        starts++;
        // kept in target/, where a failed run can be read after its data directory is gone
        log = LOGS.resolve(dataDir.getParent().getFileName() + "-" + starts + ".log");
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx768m",
                "-XX:TieredStopAtLevel=1", // a test JVM starts faster on a busy machine
                "-jar",
                JAR.toString(),
                "--server.port=" + httpPort,
                "--pollster.embedded.data-dir=" + dataDir,
                "--pollster.embedded.postgres-port=" + postgresPort,
                "--pollster.embedded.redis-port=" + redisPort,
                // the tests read the supervised servers' pids and states from the health details, which
                // by default go only to an authorized caller
                "--management.endpoint.health.show-details=always",
                "--logging.level.org.springframework.context.support.DefaultLifecycleProcessor=debug"));
        command.addAll(extraArguments);
        try {
            Files.createDirectories(dataDir);
            Files.createDirectories(LOGS);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await().atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(
                                "pollster.jar exited with " + process.exitValue() + "; see " + log);
                    }
                    return "UP".equals(health().path("status").asString());
                });
        return this;
    }

    String baseUrl() {
        return "http://localhost:" + httpPort;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgresPort + "/postgres";
    }

    String redisUrl() {
        return "redis://127.0.0.1:" + redisPort;
    }

    Path dataDir() {
        return dataDir;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    JsonNode health() throws IOException, InterruptedException {
        return PollsterJson.mapper().readTree(get("/actuator/health").body());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + path))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The pid of redis-server or of the postmaster, as the running process reports it. */
    long serverPid(String server) throws IOException, InterruptedException {
        return health().path("components")
                .path("embedded")
                .path("details")
                .path(server)
                .path("pid")
                .asLong();
    }

    /** SIGTERM, as a supervisor or Ctrl-C stops it; waits for the exit and returns its status. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            throw new IllegalStateException("pollster.jar did not stop within 3 minutes of SIGTERM; see " + log);
        }
        return process.exitValue();
    }

    /** Waits for the process to exit by itself and returns its status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("pollster.jar did not exit within " + timeout + "; see " + log);
        }
        return process.exitValue();
    }

    /**
     * SIGKILL to the whole tree at once: the JVM, redis-server, the postmaster and every PostgreSQL
     * backend, as a machine that loses power (minus the page cache) or an OOM kill of the cgroup. The
     * JVM goes first: one signal after another is not at once, and a JVM that outlived its postmaster
     * by a few hundred milliseconds (a busy machine can delay the next kill that long) would have its
     * supervisor start a new postmaster, which no kill here would reach.
     */
    void killTree() throws IOException, InterruptedException {
        List<ProcessHandle> victims = new ArrayList<>();
        victims.add(process.toHandle());
        process.descendants().forEach(victims::add);
        postmaster().ifPresent(postmaster -> {
            victims.add(postmaster);
            postmaster.descendants().forEach(victims::add);
        });
        victims.forEach(ProcessHandle::destroyForcibly);
        process.waitFor();
        for (ProcessHandle victim : victims) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !isRunning(victim));
        }
    }

    /** The postmaster as its pid file names it, if it runs. */
    Optional<ProcessHandle> postmaster() throws IOException {
        Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        return ProcessHandle.of(pid).filter(StandaloneProcess::isRunning);
    }

    /** Alive and not a zombie (init in this container does not reap orphans). */
    static boolean isRunning(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }

    /** Everything the process has logged in its latest start. */
    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    Path logFile() {
        return log;
    }

    /** Leaves nothing running: the JVM, and the servers a killed JVM would leave behind. */
    @Override
    public void close() throws Exception {
        if (process == null) {
            return;
        }
        List<ProcessHandle> leftovers = new ArrayList<>();
        if (process.isAlive()) {
            process.descendants().forEach(leftovers::add);
            leftovers.add(process.toHandle());
        }
        postmaster().ifPresent(leftovers::add);
        try (Stream<ProcessHandle> all = leftovers.stream()) {
            all.forEach(ProcessHandle::destroyForcibly);
        }
        // a redis-server orphaned by an earlier kill of the JVM still answers on its port
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", redisPort)) {
            socket.getOutputStream().write("*1\r\n$8\r\nSHUTDOWN\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().read();
        } catch (IOException nothingThere) {
            // the usual case
        }
    }

    private static int freePort() {
        return FreePorts.pick();
    }
}
