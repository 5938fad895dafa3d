package io.pollster.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which server on our port is ours. A start of the embedded PostgreSQL on a data directory and port
 * where some other postmaster already answers. zonky only waits for {@code SELECT 1} on the port, so before these checks such a start
 * "succeeded" against the other server, with no postmaster of ours in the pid file: the supervisor
 * logged "Embedded postgres restarted (pid -1)" and found it gone again, every check interval, while
 * the ingester could not get on (seen after a whole-tree SIGKILL in ProcessTreeKillFaultIT). And a
 * Redis on our port is shut down as an orphan only when it works on our files.
 */
class EmbeddedServerIdentityIT {

    @TempDir
    Path dir;

    @Test
    void aPostmasterOrphanedWithAPidFileNamingADeadProcessIsStoppedAndTheDataKept() throws Exception {
        Process holder = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-cp",
                        System.getProperty("java.class.path"),
                        HoldServersMain.class.getName(),
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .start();
        String[] ready = awaitReady(holder);
        int postgresPort = Integer.parseInt(ready[1]);
        int redisPort = Integer.parseInt(ready[2]);
        execute(
                "jdbc:postgresql://localhost:" + postgresPort + "/postgres",
                "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('vote')");
        Path pidFile = dir.resolve("postgres").resolve("postmaster.pid");
        List<String> lines = new ArrayList<>(Files.readAllLines(pidFile));
        long orphan = Long.parseLong(lines.get(0).trim());
        holder.destroyForcibly().waitFor(); // SIGKILL: the postmaster runs on, an orphan
        // and its pid file names a process that is gone, as when another start rewrote it meanwhile
        lines.set(0, Long.toString(deadPid()));
        Files.write(pidFile, lines);

        try (EmbeddedServers servers =
                EmbeddedServers.start(new EmbeddedProperties(true, dir, postgresPort, redisPort, true), true, true)) {
            EmbeddedPostgresServer postgres = servers.postgres().orElseThrow();

            assertThat(Processes.isRunning(orphan))
                    .as("the orphaned postmaster")
                    .isFalse();
            assertThat(postgres.isRunning()).isTrue();
            assertThat(postgres.pid()).isPositive().isNotEqualTo(orphan);
            assertThat(query(postgres.jdbcUrl(), "SELECT v FROM kept")).isEqualTo("vote");
        } finally {
            ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aStartAnsweredByAnotherDataDirectorysServerFailsAndLeavesThatServerAlone() throws Exception {
        int port = FreePorts.pick();
        EmbeddedPostgresServer other = new EmbeddedPostgresServer(dir.resolve("other"), port, true).start();
        EmbeddedPostgresServer ours = new EmbeddedPostgresServer(dir.resolve("ours"), port, true);
        try {
            long otherPid = other.pid();

            assertThatThrownBy(ours::start)
                    .hasStackTraceContaining("names no postmaster running there")
                    .hasStackTraceContaining("port " + port);

            assertThat(ours.isRunning()).isFalse();
            assertThat(ours.pid()).isEqualTo(-1);
            assertThat(other.isRunning())
                    .as("the other data directory's server")
                    .isTrue();
            assertThat(other.pid()).isEqualTo(otherPid);
        } finally {
            ours.stop();
            other.stop();
        }
    }

    private static String[] awaitReady(Process holder) throws Exception {
        BufferedReader output =
                new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        for (String line = output.readLine(); line != null; line = output.readLine()) {
            if (line.startsWith("READY ")) {
                return line.split(" ");
            }
        }
        throw new IllegalStateException("server holder exited with " + holder.waitFor());
    }

    @Test
    void aRedisOfOtherFilesOnOurPortIsLeftRunningAndTheStartFails() {
        int port = FreePorts.pick();
        EmbeddedRedisServer other = new EmbeddedRedisServer(dir.resolve("other"), port, true).start();
        EmbeddedRedisServer ours = new EmbeddedRedisServer(dir.resolve("ours"), port, true);
        try {
            long otherPid = other.pid();

            assertThatThrownBy(ours::start)
                    .hasStackTraceContaining("is held by a Redis that does not work in")
                    .hasStackTraceContaining("port " + port);

            assertThat(ours.isRunning()).isFalse();
            assertThat(other.pid()).as("the other Redis").isEqualTo(otherPid);
            assertThat(Resp.firstLine(port, Duration.ofSeconds(5), "PING")).isEqualTo("+PONG");
        } finally {
            ours.stop();
            other.stop();
        }
    }

    /** The pid of a process that has exited and been reaped. */
    private static long deadPid() throws Exception {
        Process done = new ProcessBuilder("true").start();
        done.waitFor();
        return done.pid();
    }

    private static String query(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
