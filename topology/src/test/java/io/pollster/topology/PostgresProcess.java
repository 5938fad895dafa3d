package io.pollster.topology;

import static org.awaitility.Awaitility.await;

import io.pollster.embedded.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Debian's PostgreSQL (the newest {@code /usr/lib/postgresql/<major>/bin}) as its own process on a
 * throwaway data directory, started with the server arguments of the {@code postgres} service of
 * docker-compose.yml ({@code wal_level=logical} among them) and holding its database and user. When the
 * test runs as root (CI does), every PostgreSQL program runs as the {@code postgres} user, which
 * PostgreSQL insists on.
 */
public final class PostgresProcess implements AutoCloseable {

    private static final String SYSTEM_USER = "postgres";

    private final Path bin;
    private final Path data;
    private final Path socketDir;
    private final Path logFile;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final List<String> serverArguments;
    private ManagedProcess server;

    private PostgresProcess(Path dir, ComposeFile compose) {
        this.bin = binaries();
        Path home = reachableBySystemUser(dir);
        this.data = home.resolve("data");
        this.socketDir = home.resolve("socket");
        this.logFile = dir.resolve("postgres.log");
        this.port = FreePorts.pick();
        Map<String, String> environment = compose.environment("postgres");
        this.database = environment.get("POSTGRES_DB");
        this.user = environment.get("POSTGRES_USER");
        this.password = environment.get("POSTGRES_PASSWORD");
        List<String> command = compose.command("postgres");
        if (command.isEmpty() || !command.get(0).equals("postgres")) {
            throw new IllegalStateException("the postgres service of docker-compose.yml runs " + command);
        }
        this.serverArguments = command.subList(1, command.size());
    }

    /** Creates a cluster under {@code dir}, starts it and creates the compose file's database and user. */
    public static PostgresProcess start(Path dir, ComposeFile compose) {
        PostgresProcess postgres = new PostgresProcess(dir, compose);
        postgres.initialise();
        postgres.startServer();
        postgres.createDatabase();
        return postgres;
    }

    /** {@code host:port} as the services reach it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + address() + "/" + database;
    }

    /** A connection as the services' user. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    /** The pid of the postmaster (not of {@code runuser}, when there is one in between). */
    public long postmasterPid() {
        try {
            return Long.parseLong(
                    Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL of the postmaster and of every backend it had, as a crash of the machine's process would. */
    public void kill() {
        ProcessHandle postmaster = ProcessHandle.of(postmasterPid()).orElseThrow();
        List<ProcessHandle> backends = postmaster.children().toList();
        postmaster.destroyForcibly();
        backends.forEach(ProcessHandle::destroyForcibly);
        postmaster.onExit().join();
        server.kill();
    }

    /** Starts the server again on the same data and port (after {@link #kill()}: crash recovery). */
    public void restart() {
        startServer();
    }

    @Override
    public void close() {
        if (server == null || !server.isAlive()) {
            return;
        }
        // fast shutdown (SIGINT): a smart one (SIGTERM) would wait for clients that may never leave
        ProcessHandle.of(postmasterPid())
                .ifPresent(postmaster -> run(List.of("kill", "-INT", Long.toString(postmaster.pid())), false));
        server.stop(Duration.ofSeconds(30));
    }

    private void initialise() {
        try {
            Files.createDirectories(logFile.getParent());
            Files.createDirectories(socketDir);
            Files.writeString(data.getParent().resolve("superuser-password"), password + "\n");
            handToSystemUser(data.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(
                List.of(
                        bin.resolve("initdb").toString(),
                        "-D",
                        data.toString(),
                        "-U",
                        SYSTEM_USER,
                        "--auth-local=trust",
                        "--auth-host=scram-sha-256",
                        "--pwfile=" + data.getParent().resolve("superuser-password"),
                        "-E",
                        "UTF8",
                        "--no-locale"),
                true);
    }

    private void startServer() {
        List<String> command = new ArrayList<>(List.of(
                bin.resolve("postgres").toString(),
                "-D",
                data.toString(),
                "-p",
                Integer.toString(port),
                "-k",
                socketDir.toString(),
                "-c",
                "listen_addresses=127.0.0.1"));
        command.addAll(serverArguments);
        server = ManagedProcess.start("postgres", asSystemUser(command), logFile);
        await("PostgreSQL accepting connections on " + address())
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .failFast("PostgreSQL exited; its log:\n" + logFile, () -> !server.isAlive())
                .until(() -> {
                    try (Connection c = DriverManager.getConnection(
                            "jdbc:postgresql://" + address() + "/postgres", SYSTEM_USER, password)) {
                        return c.isValid(5);
                    }
                });
    }

    private void createDatabase() {
        try (Connection c = DriverManager.getConnection(
                        "jdbc:postgresql://" + address() + "/postgres", SYSTEM_USER, password);
                var statement = c.createStatement()) {
            // the compose image's POSTGRES_USER is a superuser; the CDC projector needs REPLICATION at least
            statement.execute("CREATE ROLE " + user + " LOGIN SUPERUSER REPLICATION PASSWORD '" + password + "'");
            statement.execute("CREATE DATABASE " + database + " OWNER " + user);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the database of docker-compose.yml", e);
        }
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * {@code dir}, or, when the test runs as root and the {@code postgres} user cannot walk down to
     * {@code dir} (a build tree under a {@code mktemp -d} directory is {@code 0700 root}), a fresh
     * directory under the system's temporary directory, which every user can reach.
     */
    private static Path reachableBySystemUser(Path dir) {
        if (!runningAsRoot() || walkableByEveryone(dir)) {
            return dir;
        }
        try {
            return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "pollster-postgres-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean walkableByEveryone(Path dir) {
        try {
            for (Path ancestor = dir.toAbsolutePath().getParent(); ancestor != null; ancestor = ancestor.getParent()) {
                if (Files.exists(ancestor)
                        && !Files.getPosixFilePermissions(ancestor).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ProcessBuilder asSystemUser(List<String> command) {
        if (!runningAsRoot()) {
            return new ProcessBuilder(command);
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", SYSTEM_USER, "--"));
        wrapped.addAll(command);
        return new ProcessBuilder(wrapped);
    }

    private static void handToSystemUser(Path dir) throws IOException {
        if (!runningAsRoot()) {
            return;
        }
        UserPrincipal owner =
                dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SYSTEM_USER);
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.toList()) {
                Files.setOwner(path, owner);
            }
        }
    }

    private void run(List<String> command, boolean asSystemUser) {
        ProcessBuilder builder = asSystemUser ? asSystemUser(command) : new ProcessBuilder(command);
        try {
            Process process = builder.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            int exit = process.waitFor();
            if (exit != 0) {
                throw new IllegalStateException(command + " exited with " + exit + "; see " + logFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The newest Debian PostgreSQL, or the one {@code pollster.topology.postgres-bin} names. */
    private static Path binaries() {
        String configured = System.getProperty("pollster.topology.postgres-bin");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path debian = Path.of("/usr/lib/postgresql");
        try (Stream<Path> majors = Files.list(debian)) {
            return majors.map(major -> major.resolve("bin"))
                    .filter(bin ->
                            Files.isExecutable(bin.resolve("postgres")) && Files.isExecutable(bin.resolve("initdb")))
                    .max(Comparator.comparingInt(bin ->
                            Integer.parseInt(bin.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL server under " + debian));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Debian's PostgreSQL is needed (apt-get install postgresql): " + debian + " unreadable", e);
        }
    }
}
