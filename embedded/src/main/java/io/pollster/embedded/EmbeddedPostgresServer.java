package io.pollster.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL 17 on a data directory that outlives the process, started with what Pollster needs:
 * logical decoding for Debezium and, when durable, {@code fsync} and {@code synchronous_commit} on
 * (zonky turns both off by default, which would let an acknowledged vote vanish in a crash).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final Path dataDir;
    private final int port;
    private final boolean durable;
    private EmbeddedPostgres postgres;

    public EmbeddedPostgresServer(Path dataDir, int port, boolean durable) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.port = port == 0 ? FreePorts.pick() : port;
        this.durable = durable;
    }

    public synchronized EmbeddedPostgresServer start() {
        if (postgres != null) {
            return this;
        }
        try {
            Files.createDirectories(dataDir);
            stopOrphanedPostmaster();
            String onWhenDurable = durable ? "on" : "off";
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", onWhenDurable)
                    .setServerConfig("synchronous_commit", onWhenDurable)
                    .setServerConfig("full_page_writes", onWhenDurable)
                    .setServerConfig("shared_buffers", "256MB")
                    .start();
            log.info("Embedded PostgreSQL 17 on port {} with data in {}", port, dataDir);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL in " + dataDir, e);
        }
    }

    /**
     * pg_ctl daemonizes the postmaster, so a JVM killed with SIGKILL leaves it running on our data
     * directory. Our caller already holds the data-directory lock, so such a postmaster is an orphan of
     * a dead Pollster: stop it (fast shutdown keeps every committed transaction) and start afresh.
     */
    private void stopOrphanedPostmaster() throws IOException {
        Path pid = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pid)) {
            return;
        }
        long postmasterPid = Long.parseLong(Files.readAllLines(pid).get(0).trim());
        ProcessHandle orphan = ProcessHandle.of(postmasterPid).orElse(null);
        if (orphan == null || !orphan.isAlive()) {
            return;
        }
        log.warn("Stopping orphaned PostgreSQL (pid {}) left on {} by a previous run", postmasterPid, dataDir);
        // SIGTERM is a smart shutdown: the dead JVM's sessions are gone, every commit is kept
        orphan.destroy();
        try {
            orphan.onExit().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping orphaned PostgreSQL " + postmasterPid, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("orphaned PostgreSQL " + postmasterPid + " on " + dataDir + " did not stop", e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    public String username() {
        return "postgres";
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops the server and keeps its data; {@link #start()} brings it back on the same port. */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            postgres = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
