package io.pollster.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
            requireOurPostmaster();
            log.info("Embedded PostgreSQL 17 (postmaster pid {}) on port {} with data in {}", pid(), port, dataDir);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL in " + dataDir, e);
        }
    }

    /**
     * zonky's start only waits until something on our port answers {@code SELECT 1}. If that is not a
     * postmaster of our data directory (its pid file names none: another server held the port, or a
     * postmaster lost its pid file), the start failed; reporting it as a success would have the
     * supervisor "restart" a server that never ran, every check interval.
     */
    private void requireOurPostmaster() throws IOException {
        if (answersFromOurDataDirectory() && isRunning()) {
            return;
        }
        EmbeddedPostgres started = postgres;
        postgres = null;
        try {
            started.close();
        } catch (IOException | RuntimeException e) {
            log.debug("Releasing a PostgreSQL start that did not take: {}", e.toString());
        }
        throw new IOException("PostgreSQL answered on port " + port + ", but postmaster.pid in " + dataDir
                + " names no postmaster running there (another server holds the port?)");
    }

    /** Whether the server on our port says its data directory is ours (the pid file can lag behind). */
    private boolean answersFromOurDataDirectory() {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement();
                ResultSet answer = statement.executeQuery("SELECT current_setting('data_directory')")) {
            return answer.next() && Path.of(answer.getString(1)).toRealPath().equals(dataDir.toRealPath());
        } catch (SQLException | IOException e) {
            log.debug("Cannot tell whose PostgreSQL answers on port {}: {}", port, e.toString());
            return false;
        }
    }

    /**
     * pg_ctl daemonizes the postmaster, so a JVM killed with SIGKILL leaves it running on our data
     * directory. Our caller already holds the data-directory lock, so such a postmaster is an orphan of
     * a dead Pollster: stop it (fast shutdown: it ends whatever sessions it still has, and keeps every
     * commit) and start afresh. Orphans are found by the pid file and by their working directory, the data
     * directory: a postmaster a dying JVM started while the pid file named another, or whose pid file
     * was removed, still holds our port, and a new postmaster could never bind it.
     */
    private void stopOrphanedPostmaster() throws IOException {
        Set<Long> orphans = new LinkedHashSet<>(Processes.postmastersOn(dataDir));
        long fromFile = postmasterPidFromFile();
        if (fromFile > 0 && Processes.isPostgresOn(fromFile, dataDir)) {
            orphans.add(fromFile);
        }
        for (long orphan : orphans) {
            log.warn("Stopping orphaned PostgreSQL (pid {}) left on {} by a previous run", orphan, dataDir);
            fastShutdown(orphan);
        }
        // not our children: once they exit they may linger as zombies, which onExit() would wait for forever
        long deadline = System.nanoTime() + ORPHAN_STOP_TIMEOUT.toNanos();
        try {
            for (long orphan : orphans) {
                while (Processes.isRunning(orphan)) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("orphaned PostgreSQL " + orphan + " on " + dataDir
                                + " did not stop within " + ORPHAN_STOP_TIMEOUT);
                    }
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping orphaned PostgreSQL on " + dataDir, e);
        }
        clearStalePidFile();
    }

    /** SIGINT, PostgreSQL's fast shutdown; SIGTERM (smart: waits for its sessions) where kill is missing. */
    private static void fastShutdown(long postmaster) {
        try {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(postmaster))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0) {
                return;
            }
        } catch (IOException e) {
            log.debug("kill -INT {} failed: {}", postmaster, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroy);
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
        long postmasterPid;
        try {
            postmasterPid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException halfWritten) {
            return; // a postmaster is writing it right now
        }
        if (Processes.isPostgresOn(postmasterPid, dataDir)) {
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
        return postmasterPid > 0 && Processes.isPostgresOn(postmasterPid, dataDir);
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
