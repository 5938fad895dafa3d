package io.pollster.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedServersIT {

    @TempDir
    Path dataDir;

    private EmbeddedProperties durableOn(Path dir) {
        return new EmbeddedProperties(true, dir, 0, 0, true);
    }

    @Test
    void postgresRunsDurableWithLogicalDecoding() throws Exception {
        try (EmbeddedServers servers = EmbeddedServers.start(durableOn(dataDir), true, false)) {
            String url = servers.postgres().orElseThrow().jdbcUrl();
            assertThat(show(url, "fsync")).isEqualTo("on");
            assertThat(show(url, "synchronous_commit")).isEqualTo("on");
            assertThat(show(url, "full_page_writes")).isEqualTo("on");
            assertThat(show(url, "wal_level")).isEqualTo("logical");
            assertThat(Integer.parseInt(show(url, "max_replication_slots"))).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void dataWrittenBeforeARestartIsThereAfterIt() throws Exception {
        try (EmbeddedServers servers = EmbeddedServers.start(durableOn(dataDir), true, true)) {
            execute(
                    servers.postgres().orElseThrow().jdbcUrl(),
                    "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('vote')");
            assertThat(redis(servers.redis().orElseThrow().port(), "SET", "kept", "vote"))
                    .isEqualTo("+OK");
        }
        try (EmbeddedServers servers = EmbeddedServers.start(durableOn(dataDir), true, true)) {
            assertThat(query(servers.postgres().orElseThrow().jdbcUrl(), "SELECT v FROM kept"))
                    .isEqualTo("vote");
            assertThat(redis(servers.redis().orElseThrow().port(), "GET", "kept"))
                    .isEqualTo("$4");
        }
    }

    @Test
    void aSecondProcessOnTheSameDataDirectoryFailsFast() {
        try (EmbeddedServers first = EmbeddedServers.start(durableOn(dataDir), true, true)) {
            assertThatThrownBy(() -> EmbeddedServers.start(durableOn(dataDir), true, true))
                    .isInstanceOf(EmbeddedServers.DataDirectoryInUseException.class)
                    .hasMessageContaining("already running on data directory")
                    .hasMessageContaining("pollster.embedded.data-dir");
        }
    }

    @Test
    void serversOrphanedByAKilledProcessAreStoppedAndTheirDataKept() throws Exception {
        Process holder = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-cp",
                        System.getProperty("java.class.path"),
                        HoldServersMain.class.getName(),
                        dataDir.toString())
                .redirectErrorStream(true)
                .start();
        String[] ready = awaitReady(holder);
        String url = "jdbc:postgresql://localhost:" + ready[1] + "/postgres";
        execute(url, "CREATE TABLE survived (v text); INSERT INTO survived VALUES ('yes')");
        assertThat(redis(Integer.parseInt(ready[2]), "SET", "survived", "yes")).isEqualTo("+OK");

        holder.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs

        EmbeddedProperties samePorts =
                new EmbeddedProperties(true, dataDir, Integer.parseInt(ready[1]), Integer.parseInt(ready[2]), true);
        try (EmbeddedServers second = EmbeddedServers.start(samePorts, true, true)) {
            assertThat(query(second.postgres().orElseThrow().jdbcUrl(), "SELECT v FROM survived"))
                    .isEqualTo("yes");
            assertThat(redis(second.redis().orElseThrow().port(), "GET", "survived"))
                    .isEqualTo("$3");
        }
    }

    @Test
    void aSupervisedRedisKilledWithSigkillIsRestartedWithItsData() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (EmbeddedServers servers = EmbeddedServers.start(durableOn(dataDir), false, true)) {
            servers.supervise(quickly(5), listener);
            EmbeddedRedisServer redis = servers.redis().orElseThrow();
            assertThat(redis(redis.port(), "SET", "kept", "vote")).isEqualTo("+OK");
            // appendfsync always: written and fsynced before the answer
            long killed = redis.pid();

            ProcessHandle.of(killed).orElseThrow().destroyForcibly();

            await().atMost(Duration.ofSeconds(60)).until(() -> listener.restarts.get() == 1);
            assertThat(redis.pid()).isPositive().isNotEqualTo(killed);
            assertThat(redis(redis.port(), "GET", "kept")).isEqualTo("$4");
            assertThat(listener.downs.get()).isEqualTo(1);
        }
    }

    @Test
    void aSupervisedPostmasterKilledWithSigkillIsRestartedWithEveryCommit() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (EmbeddedServers servers = EmbeddedServers.start(durableOn(dataDir), true, false)) {
            servers.supervise(quickly(10), listener);
            EmbeddedPostgresServer postgres = servers.postgres().orElseThrow();
            execute(postgres.jdbcUrl(), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('vote')");
            long killed = postgres.pid();

            ProcessHandle.of(killed).orElseThrow().destroyForcibly();

            await().atMost(Duration.ofSeconds(120)).until(() -> listener.restarts.get() == 1);
            assertThat(postgres.pid()).isPositive().isNotEqualTo(killed);
            assertThat(query(postgres.jdbcUrl(), "SELECT v FROM kept")).isEqualTo("vote");
        }
    }

    @Test
    void aServerThatCannotComeBackIsGivenUpOn() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (EmbeddedServers servers = EmbeddedServers.start(durableOn(dataDir), false, true)) {
            servers.supervise(quickly(2), listener);
            EmbeddedRedisServer redis = servers.redis().orElseThrow();
            // its data directory replaced by a file: no restart can succeed
            Path moved = Files.move(redis.dataDir(), dataDir.resolve("redis-moved"));
            Files.writeString(redis.dataDir(), "not a directory");

            ProcessHandle.of(redis.pid()).orElseThrow().destroyForcibly();

            await().atMost(Duration.ofSeconds(60)).until(() -> listener.gaveUp.get() != null);
            assertThat(listener.restarts.get()).isZero();
            assertThat(redis.isRunning()).isFalse();
            assertThat(moved).isDirectory();
        }
    }

    private static EmbeddedSupervisionProperties quickly(int maxRestarts) {
        return new EmbeddedSupervisionProperties(
                true,
                Duration.ofMillis(100),
                maxRestarts,
                Duration.ofMillis(100),
                Duration.ofSeconds(2),
                Duration.ZERO);
    }

    private static final class RecordingListener implements EmbeddedServerListener {
        final AtomicInteger downs = new AtomicInteger();
        final AtomicInteger restarts = new AtomicInteger();
        final AtomicReference<Exception> gaveUp = new AtomicReference<>();

        @Override
        public void down(EmbeddedServer server) {
            downs.incrementAndGet();
        }

        @Override
        public void restarted(EmbeddedServer server, int attempt) {
            restarts.incrementAndGet();
        }

        @Override
        public void gaveUp(EmbeddedServer server, Exception lastFailure) {
            gaveUp.set(lastFailure == null ? new IllegalStateException("no failure recorded") : lastFailure);
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

    private static String show(String url, String setting) throws SQLException {
        return query(url, "SHOW " + setting);
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

    /** A minimal RESP client: the first line of the reply. */
    private static String redis(int port, String... command) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            StringBuilder request = new StringBuilder("*" + command.length + "\r\n");
            for (String part : command) {
                request.append('$')
                        .append(part.length())
                        .append("\r\n")
                        .append(part)
                        .append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        }
    }
}
