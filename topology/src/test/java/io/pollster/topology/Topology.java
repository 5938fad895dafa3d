package io.pollster.topology;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Pollster as docker-compose.yml deploys it, without Docker: PostgreSQL, Redis (however a {@link
 * RedisDeployment} runs it), an S3 API for the archive, every service from its own executable jar as
 * its own process with the compose environment, several instances of each, and nginx on the shipped
 * {@code deploy/nginx.conf} in front. Everything runs on loopback, on free ports, under one directory;
 * {@link #close()} ends every process it started, by pid.
 */
public final class Topology implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Topology.class);
    static final Duration START_TIMEOUT = Duration.ofMinutes(10);

    public static final String WRITE_API = "write-api";
    public static final String LIVE_GATEWAY = "live-gateway";
    public static final String CDC_PROJECTOR = "cdc-projector";
    public static final String JOBS = "jobs";

    private final Builder settings;
    private final Path dir;
    private final ComposeFile compose;
    private final ProcessGroup processes = new ProcessGroup();
    private final Map<String, List<ServiceInstance>> instances = new LinkedHashMap<>();
    private PostgresProcess postgres;
    private LoadBalancer loadBalancer;

    private Topology(Builder settings) {
        this.settings = settings;
        this.compose = ComposeFile.read(
                settings.composeFiles.stream().map(settings.root::resolve).toList());
        String stamp = DateTimeFormatter.ofPattern("HHmmss-SSS")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now());
        try {
            this.dir = Files.createDirectories(settings.work.resolve(settings.name + "-" + stamp));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The java launcher of the running test JVM: every JVM of the topology runs the same one. */
    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private Topology start() {
        log.info("Starting the topology under {}", dir);
        // a test JVM ended early (interrupted build, failsafe timeout) still ends what it started
        Runtime.getRuntime().addShutdownHook(new Thread(processes::close, "topology-stop"));
        try {
            postgres = processes.add(PostgresProcess.start(dir.resolve("postgres"), compose));
            RedisDeployment redis = processes.add(settings.redis);
            redis.start(dir.resolve("redis"), compose);
            log.info("PostgreSQL on {}, {}", postgres.address(), redis.description());
            S3Server s3 = processes.add(S3Server.start(
                    settings.s3ServerJar,
                    dir.resolve("s3"),
                    compose.environment(JOBS).get("POLLSTER_JOBS_ARCHIVE_S3_BUCKET")));
            Map<String, String> addresses = Map.of("postgres:5432", postgres.address(), "minio:9000", s3.address());

            for (var service : settings.counts.entrySet()) {
                Map<String, String> environment = redis.serviceEnvironment(
                        ComposeFile.substitute(compose.environment(service.getKey()), addresses));
                assertNoComposeHostLeft(service.getKey(), environment);
                List<ServiceInstance> list = new ArrayList<>();
                for (int i = 1; i <= service.getValue(); i++) {
                    list.add(new ServiceInstance(service.getKey(), i, jar(service.getKey()), environment, dir));
                }
                instances.put(service.getKey(), List.copyOf(list));
            }
            s3.awaitReady();

            // everything but the standby projectors at once; the first projector must own the slot
            List<ServiceInstance> first = new ArrayList<>();
            instances.forEach((service, list) -> {
                if (service.equals(CDC_PROJECTOR)) {
                    first.add(list.get(0));
                } else {
                    first.addAll(list);
                }
            });
            startAll(first);
            List<ServiceInstance> projectors = instances(CDC_PROJECTOR);
            if (!projectors.isEmpty()) {
                await("the first projector streaming")
                        .atMost(START_TIMEOUT)
                        .pollInterval(Duration.ofMillis(500))
                        .ignoreExceptions()
                        .until(() -> cdcState(projectors.get(0)).equalsIgnoreCase("streaming"));
                startAll(projectors.subList(1, projectors.size()));
            }

            Map<String, List<String>> upstreams = new LinkedHashMap<>();
            for (String service : List.of(WRITE_API, LIVE_GATEWAY, JOBS)) {
                upstreams.put(
                        service + ":" + compose.containerPort(service),
                        instances(service).stream()
                                .map(ServiceInstance::address)
                                .toList());
            }
            loadBalancer = processes.add(
                    LoadBalancer.start(settings.root.resolve("deploy/nginx.conf"), upstreams, dir.resolve("nginx")));
            log.info("Topology up: nginx on 127.0.0.1:{} in front of {}", loadBalancer.port(), instances.values());
            return this;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void startAll(List<ServiceInstance> list) {
        for (ServiceInstance instance : list) {
            instance.start();
            processes.add(instance::stop);
        }
        CompletableFuture.allOf(list.stream()
                        .map(instance -> CompletableFuture.runAsync(() -> instance.awaitHealthy(START_TIMEOUT)))
                        .toArray(CompletableFuture[]::new))
                .join();
    }

    /**
     * The {@code cdc} health component's state of a projector: streaming, standby, starting, … (health
     * details go to an operator only, so this needs jwt mode).
     */
    public static String cdcState(ServiceInstance projector) throws Exception {
        JsonNode health = projector.health();
        if (!health.has("components")) {
            throw new IllegalStateException(projector.name() + " shows no health details: " + health);
        }
        return health.path("components")
                .path("cdc")
                .path("details")
                .path("state")
                .asString();
    }

    private void assertNoComposeHostLeft(String service, Map<String, String> environment) {
        environment.forEach((name, value) -> {
            for (String host : compose.services()) {
                if (value.contains("//" + host + ":")) {
                    throw new IllegalStateException(name + " of " + service + " still points at the compose host "
                            + host + " (" + value + "): the topology does not know where that runs");
                }
            }
        });
    }

    private Path jar(String service) {
        Path jar = settings.root
                .resolve(service)
                .resolve("target")
                .resolve(service + "-" + settings.version + "-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: package the service first (the topology module depends on it)");
        }
        return jar;
    }

    public Path dir() {
        return dir;
    }

    /** The repository whose jars, compose files and {@code deploy/} this topology runs. */
    public Path root() {
        return settings.root;
    }

    public ComposeFile compose() {
        return compose;
    }

    public PostgresProcess postgres() {
        return postgres;
    }

    public RedisDeployment redis() {
        return settings.redis;
    }

    public LoadBalancer loadBalancer() {
        return loadBalancer;
    }

    public List<ServiceInstance> instances(String service) {
        return instances.getOrDefault(service, List.of());
    }

    /** The environment every instance of {@code service} runs with. */
    public Map<String, String> environment(String service) {
        return instances(service).get(0).environment();
    }

    /** Starts a killed instance again (same port, same environment) and waits until it is healthy. */
    public void restart(ServiceInstance instance) {
        instance.start();
        instance.awaitHealthy(START_TIMEOUT);
    }

    @Override
    public void close() {
        processes.close();
    }

    /** What a topology runs. */
    public static final class Builder {

        private String name = "topology";
        private Path root = Path.of(System.getProperty("pollster.topology.root", ".."))
                .toAbsolutePath()
                .normalize();
        private Path work = Path.of(System.getProperty("pollster.topology.work", "target/topology"))
                .toAbsolutePath();
        private String version = System.getProperty("pollster.topology.version", "0.1.0-SNAPSHOT");
        private Path s3ServerJar =
                Path.of(System.getProperty("pollster.topology.s3-server-jar", "target/s3-server/s3-server.jar"));
        private List<String> composeFiles = List.of("docker-compose.yml");
        private RedisDeployment redis = new PlainRedis();
        private final Map<String, Integer> counts = new LinkedHashMap<>(Map.of());

        private Builder() {
            counts.put(WRITE_API, 2);
            counts.put(LIVE_GATEWAY, 2);
            counts.put(CDC_PROJECTOR, 2);
            counts.put(JOBS, 1);
        }

        /** Names the topology's directory under target/topology. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** How Redis runs, and how the services' Redis variables reach it. */
        public Builder redis(RedisDeployment redis) {
            this.redis = redis;
            return this;
        }

        /**
         * The compose files of the repository to read, in order, as {@code docker compose -f … -f …}
         * would (e.g. docker-compose.yml then a variant's override); docker-compose.yml alone by default.
         */
        public Builder composeFiles(String... composeFiles) {
            this.composeFiles = List.of(composeFiles);
            return this;
        }

        /** How many instances of {@code service} run (at least one). */
        public Builder instances(String service, int count) {
            if (!counts.containsKey(service) || count < 1) {
                throw new IllegalArgumentException(service + " × " + count);
            }
            counts.put(service, count);
            return this;
        }

        public Topology start() {
            return new Topology(this).start();
        }
    }
}
