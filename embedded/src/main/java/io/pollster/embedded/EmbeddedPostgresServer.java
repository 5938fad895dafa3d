package io.pollster.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL 17 on a data directory that outlives the process, started with what Pollster needs:
 * logical decoding for Debezium and, when durable, {@code fsync} and {@code synchronous_commit} on
 * (zonky turns both off by default, which would let an acknowledged vote vanish in a crash).
 */
public final class EmbeddedPostgresServer implements EmbeddedServer {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String PID_FILE = "postmaster.pid";
    private static final Duration ORPHAN_STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final int port;
    private final boolean durable;
    private EmbeddedPostgres postgres;

    public EmbeddedPostgresServer(Path dataDir, int port, boolean durable) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.port = port == 0 ? FreePorts.pick() : port;
        this.durable = durable;
    }

    @Override
    public String name() {
        return "postgres";
    }

    /**
     * Starts the server, unless it runs. A postmaster that died (SIGKILL, OOM killer) is started again
     * on the same data and port; PostgreSQL's crash recovery replays the WAL, so every committed
     * transaction is there.
     */
    @Override
    public synchronized EmbeddedPostgresServer start() {
        if (postgres != null) {
            if (isRunning()) {
                return this;
            }
            discardDeadInstance();
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
                    // TCP only: a Unix socket's lock file in /tmp would name a killed postmaster's pid,
                    // and a zombie's pid blocks a restart exactly as its postmaster.pid would
                    .setServerConfig("unix_socket_directories", "")
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", onWhenDurable)
                    .setServerConfig("synchronous_commit", onWhenDurable)
                    .setServerConfig("full_page_writes", onWhenDurable)
                    .setServerConfig("shared_buffers", "256MB")
                    .start();
            log.info("Embedded PostgreSQL 17 (postmaster pid {}) on port {} with data in {}", pid(), port, dataDir);
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
        long postmasterPid = postmasterPidFromFile();
        if (postmasterPid <= 0) {
            return;
        }
        if (Processes.isRunning(postmasterPid)
                && Processes.command(postmasterPid).contains("postgres")) {
            log.warn("Stopping orphaned PostgreSQL (pid {}) left on {} by a previous run", postmasterPid, dataDir);
            // SIGTERM is a smart shutdown: the dead JVM's sessions are gone, every commit is kept
            ProcessHandle.of(postmasterPid).ifPresent(ProcessHandle::destroy);
            // not our child: once it exits it may linger as a zombie, which onExit() would wait for forever
            long deadline = System.nanoTime() + ORPHAN_STOP_TIMEOUT.toNanos();
            try {
                while (Processes.isRunning(postmasterPid)) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("orphaned PostgreSQL " + postmasterPid + " on " + dataDir
                                + " did not stop within " + ORPHAN_STOP_TIMEOUT);
                    }
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping orphaned PostgreSQL " + postmasterPid, e);
            }
        }
        clearStalePidFile();
    }

    /**
     * PostgreSQL refuses to start while the pid in {@code postmaster.pid} exists. A postmaster that was
     * killed, and whose parent died before it, stays a zombie where init does not reap (a container's
     * init often does not): dead, but its pid still exists. Its pid file is then removed, once no
     * process of the killed server still uses its shared memory, which is the check PostgreSQL itself
     * makes before it reuses a data directory. A pid that does not exist at all PostgreSQL handles itself.
     */
    private void clearStalePidFile() throws IOException {
        List<String> lines = pidFileLines();
        if (lines.isEmpty()) {
            return;
        }
        long postmasterPid = Long.parseLong(lines.get(0).trim());
        if (Processes.isRunning(postmasterPid)
                && Processes.command(postmasterPid).contains("postgres")) {
            return; // a live postmaster: not stale
        }
        if (ProcessHandle.of(postmasterPid).isEmpty()) {
            return;
        }
        if (SharedMemory.inUse(lines)) {
            throw new IOException("processes of the killed PostgreSQL " + postmasterPid
                    + " still use its shared memory; they exit once they notice, try again");
        }
        log.warn("Removing the postmaster.pid of PostgreSQL {}, which is dead but not reaped", postmasterPid);
        Files.deleteIfExists(dataDir.resolve(PID_FILE));
    }

    /**
     * Lets go of a zonky instance whose postmaster died: its pid file would make {@code pg_ctl stop}
     * wait for a process that cannot exit, so it goes first; then closing the instance only releases its
     * lock on the data directory.
     */
    private void discardDeadInstance() {
        EmbeddedPostgres dead = postgres;
        postgres = null;
        try {
            clearStalePidFile();
        } catch (IOException | RuntimeException stillInUse) {
            log.debug("Releasing the dead PostgreSQL instance: {}", stillInUse.toString());
        }
        try {
            dead.close();
        } catch (IOException | RuntimeException e) {
            log.debug("Releasing the dead PostgreSQL instance: {}", e.toString());
        }
    }

    private long postmasterPidFromFile() {
        List<String> lines = pidFileLines();
        try {
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException halfWritten) {
            return -1;
        }
    }

    private List<String> pidFileLines() {
        try {
            return Files.readAllLines(dataDir.resolve(PID_FILE));
        } catch (IOException noServer) {
            return List.of();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        if (postgres == null) {
            return false;
        }
        long postmasterPid = postmasterPidFromFile();
        return postmasterPid > 0 && Processes.isRunning(postmasterPid);
    }

    /** The postmaster's pid, or -1 when it does not run. */
    @Override
    public synchronized long pid() {
        return isRunning() ? postmasterPidFromFile() : -1;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    public String username() {
        return "postgres";
    }

    @Override
    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops the server and keeps its data; {@link #start()} brings it back on the same port. */
    @Override
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        if (!isRunning()) {
            discardDeadInstance();
            return;
        }
        log.info("Stopping embedded PostgreSQL (postmaster pid {}) on port {}", pid(), port);
        try {
            postgres.close();
            log.info("Embedded PostgreSQL stopped");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            postgres = null;
        }
    }
}
