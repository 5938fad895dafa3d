package io.pollster.topology;

import static org.awaitility.Awaitility.await;

import io.pollster.embedded.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One instance of a deployable service: its own {@code -exec.jar} run as its own JVM, with the
 * environment docker-compose.yml gives the service (addresses substituted) and nothing from the test's
 * own environment, on a free port.
 */
public final class ServiceInstance {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Kept from the test's environment: what a JVM needs to run, nothing Spring could bind. */
    private static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "TMPDIR", "TZ");

    private final String service;
    private final int index;
    private final Path jar;
    private final Map<String, String> environment;
    private final Path dir;
    private final Identity identity;
    private final int port = FreePorts.pick();
    private ManagedProcess process;
    private int starts;

    ServiceInstance(String service, int index, Path jar, Map<String, String> environment, Path dir) {
        this.identity = Identity.of(environment);
        this.service = service;
        this.index = index;
        this.jar = jar;
        this.environment = Map.copyOf(environment);
        this.dir = dir;
    }

    /** e.g. {@code write-api-1}. */
    public String name() {
        return service + "-" + index;
    }

    public String service() {
        return service;
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, what the load balancer's upstream lists. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public Map<String, String> environment() {
        return environment;
    }

    public ManagedProcess process() {
        return process;
    }

    /** Starts the JVM (again, after a kill: same port, same environment). */
    public synchronized ServiceInstance start() {
        starts++;
        List<String> command = new ArrayList<>(List.of(
                Topology.java(),
                "-Xms64m",
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().retainAll(INHERITED);
        env.putAll(environment);
        env.put("SERVER_PORT", Integer.toString(port));
        process = ManagedProcess.start(name(), builder, dir.resolve(name() + "-" + starts + ".log"));
        return this;
    }

    /** Waits until {@code /actuator/health} answers UP (PostgreSQL and Redis reached). */
    public ServiceInstance awaitHealthy(Duration timeout) {
        await(name() + " healthy on " + address())
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .failFast(
                        name() + " exited; its log: " + process.log() + "\n" + process.logTail(40),
                        () -> !process.isAlive())
                .until(() -> "UP".equals(health().path("status").asString()));
        return this;
    }

    /**
     * The body of {@code /actuator/health}, asked as an operator so it has the components' details
     * (in jwt mode; header mode has no operator and shows the status only).
     */
    public JsonNode health() throws Exception {
        HttpResponse<String> response = HTTP.send(
                identity.asOperator(HttpRequest.newBuilder(URI.create("http://" + address() + "/actuator/health")))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** SIGKILL of the JVM, by its pid. */
    public void kill() {
        process.kill();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    void stop() {
        if (process != null) {
            process.stop();
        }
    }

    @Override
    public String toString() {
        return name() + " on " + address() + (process == null ? "" : " (pid " + process.pid() + ")");
    }
}
