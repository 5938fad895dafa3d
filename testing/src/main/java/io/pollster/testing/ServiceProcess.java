package io.pollster.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Pollster service run as users run it: its executable jar in a JVM of its own, a child of the test,
 * so a test can SIGKILL it. Its output goes to a log file next to the test reports.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceProcess.class);

    private final String name;
    private final int port;
    private final Path logFile;
    private final Process process;

    private ServiceProcess(String name, int port, Path logFile, Process process) {
        this.name = name;
        this.port = port;
        this.logFile = logFile;
        this.process = process;
    }

    /**
     * Starts {@code jar} with {@code properties} as command-line arguments, on {@code port}, pointed at
     * the test servers, and waits until its readiness probe answers 200.
     */
    public static ServiceProcess start(String name, Path jar, int port, Path logDir, Map<String, String> properties) {
        return start(name, jar, port, logDir, List.of(), properties);
    }

    /**
     * Like {@link #start(String, Path, int, Path, Map)}, with options for the JVM (e.g. {@code -Xmx96m}); given
     * after the defaults ({@code -Xmx512m -XX:+UseSerialGC}), they override them.
     */
    public static ServiceProcess start(
            String name, Path jar, int port, Path logDir, List<String> jvmOptions, Map<String, String> properties) {
        ServiceProcess service = launch(name, jar, port, logDir, jvmOptions, properties);
        service.awaitReady();
        return service;
    }

    /** Starts the process like {@link #start} without waiting: {@link #awaitReady()} when it matters. */
    public static ServiceProcess launch(String name, Path jar, int port, Path logDir, Map<String, String> properties) {
        return launch(name, jar, port, logDir, List.of(), properties);
    }

    /** Starts the process like {@link #start} without waiting, with options for the JVM. */
    public static ServiceProcess launch(
            String name, Path jar, int port, Path logDir, List<String> jvmOptions, Map<String, String> properties) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the service first (./mvnw package)");
        }
        TestServers servers = TestServers.get();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-jar",
                jar.toString(),
                "--server.port=" + port,
                "--spring.datasource.url=" + servers.jdbcUrl(),
                "--spring.datasource.username=" + servers.username(),
                "--spring.datasource.password=" + servers.password(),
                "--spring.data.redis.url=" + servers.redisUrl(),
                "--pollster.embedded.enabled=false",
                "--pollster.identity.anonymous-secret=" + TestServers.ANONYMOUS_SECRET));
        properties.forEach((key, value) -> command.add("--" + key + "=" + value));
        try {
            Files.createDirectories(logDir);
            Path logFile = logDir.resolve(name + ".log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            ServiceProcess service = new ServiceProcess(name, port, logFile, process);
            log.info("Started {} (pid {}) on port {}, log {}", name, process.pid(), port, logFile);
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Waits until the readiness probe answers 200; fails at once if the process exits. */
    public void awaitReady() {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(5))
                .build();
        Awaitility.await(name + " ready (log " + logFile + ")")
                // a Spring Boot service starts in seconds, but on a shared 2-core machine under a load of
                // 30 and more, it has been seen to take over 4 minutes
                .atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(
                                name + " exited with " + process.exitValue() + ", see " + logFile);
                    }
                    return client.send(probe, HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200;
                });
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no lifecycle stop, nothing flushed or acknowledged. */
    public void kill() {
        log.info("SIGKILL to {} (pid {})", name, process.pid());
        process.destroyForcibly();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process if it still runs (a test's cleanup). */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
