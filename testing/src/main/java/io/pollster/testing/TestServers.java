package io.pollster.testing;

import io.pollster.embedded.EmbeddedPostgresServer;
import io.pollster.embedded.EmbeddedProperties;
import io.pollster.embedded.EmbeddedRedisServer;
import io.pollster.embedded.EmbeddedServer;
import io.pollster.embedded.EmbeddedServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The PostgreSQL and Redis servers of one test JVM, started on first use and shared by every test
 * class (tests keep apart by using fresh ids). Containers when Docker answers, embedded servers on a
 * throwaway directory otherwise.
 */
public abstract sealed class TestServers permits TestServers.Containers, TestServers.Embedded {

    /**
     * The anonymous voters' secret of every service a test starts ({@code pollster.identity.anonymous-secret},
     * which a deployed service refuses to start without): one value, so ids a test derives itself match.
     */
    public static final String ANONYMOUS_SECRET = "pollster-tests-anonymous-voters-secret-of-48-bytes";

    private static final Logger log = LoggerFactory.getLogger(TestServers.class);
    private static TestServers instance;

    /** The servers of this JVM, started on first call. */
    public static synchronized TestServers get() {
        if (instance == null) {
            instance = dockerAnswers() ? new Containers() : new Embedded();
            log.info("Integration tests run on {}", instance.description());
        }
        return instance;
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    public abstract String jdbcUrl();

    public abstract String username();

    public abstract String password();

    public abstract String redisUrl();

    abstract String description();

    /** Whether the restarts and kills of PostgreSQL and Redis are available on these servers. */
    public abstract boolean canRestart();

    /** Stops PostgreSQL (keeping its data) and starts it again on the same port. */
    public void restartPostgres() {
        stopPostgres();
        startPostgres();
    }

    public abstract void stopPostgres();

    public abstract void startPostgres();

    /** Stops Redis (keeping its AOF) and starts it again on the same port. */
    public void restartRedis() {
        stopRedis();
        startRedis();
    }

    public abstract void stopRedis();

    public abstract void startRedis();

    /**
     * Kills the postmaster with SIGKILL, by its pid, as the OOM killer or a crash would, and waits until
     * it is dead (its backends exit on their own once they notice). Nothing is shut down cleanly: no
     * checkpoint, clients cut mid-transaction. {@link #startPostgres()} brings it back on the same data
     * directory and port, through PostgreSQL's crash recovery.
     *
     * @return the pid killed
     */
    public abstract long killPostgres();

    /**
     * Kills redis-server with SIGKILL, by its pid, and waits until it is dead; {@link #startRedis()}
     * brings it back on the same port from its append-only file.
     *
     * @return the pid killed
     */
    public abstract long killRedis();

    /** The postmaster's pid, or -1 when PostgreSQL does not run. */
    public abstract long postgresPid();

    /** redis-server's pid, or -1 when Redis does not run. */
    public abstract long redisPid();

    static final class Embedded extends TestServers {

        private final EmbeddedPostgresServer postgres;
        private final EmbeddedRedisServer redis;

        Embedded() {
            Path dataDir;
            try {
                dataDir = Files.createTempDirectory("pollster-it-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // throwaway data: durability off makes the tests faster and proves nothing less, since no
            // test crashes the machine; restarts and SIGKILLs of processes keep what the kernel has
            EmbeddedServers servers =
                    EmbeddedServers.start(new EmbeddedProperties(true, dataDir, 0, 0, true), true, true);
            postgres = servers.postgres().orElseThrow();
            redis = servers.redis().orElseThrow();
            Runtime.getRuntime().addShutdownHook(new Thread(servers::close, "pollster-test-servers-stop"));
        }

        @Override
        public String jdbcUrl() {
            return postgres.jdbcUrl();
        }

        @Override
        public String username() {
            return postgres.username();
        }

        @Override
        public String password() {
            return "";
        }

        @Override
        public String redisUrl() {
            return redis.url();
        }

        @Override
        String description() {
            return "embedded PostgreSQL on port " + postgres.port() + " and embedded Redis on port " + redis.port();
        }

        @Override
        public boolean canRestart() {
            return true;
        }

        @Override
        public void stopPostgres() {
            postgres.stop();
        }

        @Override
        public void startPostgres() {
            startAfterAnyStop(postgres);
        }

        @Override
        public void stopRedis() {
            redis.stop();
        }

        @Override
        public void startRedis() {
            startAfterAnyStop(redis);
        }

        @Override
        public long killPostgres() {
            return kill(postgres);
        }

        @Override
        public long killRedis() {
            return kill(redis);
        }

        @Override
        public long postgresPid() {
            return postgres.pid();
        }

        @Override
        public long redisPid() {
            return redis.pid();
        }

        private static long kill(EmbeddedServer server) {
            long pid = server.pid();
            if (pid <= 0) {
                throw new IllegalStateException(server.name() + " does not run: nothing to kill");
            }
            ProcessHandle process = ProcessHandle.of(pid)
                    .orElseThrow(() -> new IllegalStateException(server.name() + " pid " + pid + " is gone"));
            log.info("SIGKILL to {} (pid {})", server.name(), pid);
            process.destroyForcibly();
            // not our child, so no onExit(): a killed orphan may stay a zombie, which isRunning() knows
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> !server.isRunning());
            return pid;
        }

        /**
         * Starts a server however it stopped. Right after a SIGKILL of the postmaster its backends may
         * still hold its shared memory for a moment, and PostgreSQL refuses the data directory until
         * they have exited: try again until then.
         */
        private static void startAfterAnyStop(EmbeddedServer server) {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .until(() -> {
                        server.start();
                        return server.isRunning();
                    });
        }
    }

    static final class Containers extends TestServers {

        private final PostgreSQLContainer postgres;
        private final GenericContainer<?> redis;

        @SuppressWarnings("resource") // stopped by Testcontainers' reaper when the JVM exits
        Containers() {
            postgres = new PostgreSQLContainer(DockerImageName.parse("postgres:17"))
                    .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=10");
            redis = new GenericContainer<>(DockerImageName.parse("redis:7"))
                    .withCommand("redis-server", "--appendonly", "yes")
                    .withExposedPorts(6379);
            postgres.start();
            redis.start();
        }

        @Override
        public String jdbcUrl() {
            return postgres.getJdbcUrl();
        }

        @Override
        public String username() {
            return postgres.getUsername();
        }

        @Override
        public String password() {
            return postgres.getPassword();
        }

        @Override
        public String redisUrl() {
            return "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379);
        }

        @Override
        String description() {
            return "Testcontainers " + postgres.getDockerImageName() + " and " + redis.getDockerImageName();
        }

        /** A restarted container gets a new mapped port, which a running context cannot follow. */
        @Override
        public boolean canRestart() {
            return false;
        }

        @Override
        public void stopPostgres() {
            throw new IllegalStateException("restarts need the embedded servers; check canRestart() first");
        }

        @Override
        public void startPostgres() {
            throw new IllegalStateException("restarts need the embedded servers; check canRestart() first");
        }

        @Override
        public void stopRedis() {
            throw new IllegalStateException("restarts need the embedded servers; check canRestart() first");
        }

        @Override
        public void startRedis() {
            throw new IllegalStateException("restarts need the embedded servers; check canRestart() first");
        }

        @Override
        public long killPostgres() {
            throw new IllegalStateException("kills need the embedded servers; check canRestart() first");
        }

        @Override
        public long killRedis() {
            throw new IllegalStateException("kills need the embedded servers; check canRestart() first");
        }

        @Override
        public long postgresPid() {
            return -1;
        }

        @Override
        public long redisPid() {
            return -1;
        }
    }
}
