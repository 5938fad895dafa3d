package io.pollster.embedded;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisExecProvider;

/**
 * Redis 7.0 with its append-only file in a data directory that outlives the process, written and fsynced
 * before Redis answers ({@code appendfsync always}): neither a killed Redis nor a crashed machine loses a
 * write it acknowledged. {@code everysec} would not do: while its background fsync of the previous
 * second still runs, Redis postpones the write and answers meanwhile, so a SIGKILL lost accepted votes
 * (docs/votes.md "Redis loss, told honestly").
 *
 * <p>The redis-server binary comes from org.signal's embedded-redis, but this class runs the process
 * itself: that library stops Redis from a JVM shutdown hook of its own, which runs at the same time as
 * Spring's and took Redis away while the web server was still draining requests that need it. Here
 * Redis stops only when {@link #stop()} is called, last (see {@link EmbeddedServers}). Where
 * {@code setsid} exists the server runs in a session of its own, so a Ctrl-C in the terminal reaches
 * the JVM alone and the JVM stops Redis in its turn.
 */
public final class EmbeddedRedisServer implements EmbeddedServer {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedisServer.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final String LOG_FILE = "redis-server.log";
    private static File executable;

    private final Path dataDir;
    private final int port;
    private final boolean durable;
    private Process process;

    public EmbeddedRedisServer(Path dataDir, int port, boolean durable) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.port = port == 0 ? FreePorts.pick() : port;
        this.durable = durable;
    }

    @Override
    public String name() {
        return "redis";
    }

    /** Starts the server, unless it runs; a server that died is started again on the same files and port. */
    @Override
    public synchronized EmbeddedRedisServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        process = null;
        try {
            Files.createDirectories(dataDir);
            shutDownOrphan();
            ProcessBuilder builder = new ProcessBuilder(command())
                    .directory(dataDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dataDir.resolve(LOG_FILE).toFile()));
            Process started = builder.start();
            awaitReady(started);
            process = started;
            log.info("Embedded Redis 7.0 (pid {}) on port {} with data in {}", started.pid(), port, dataDir);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded Redis in " + dataDir, e);
        }
    }

    private List<String> command() throws IOException {
        List<String> command = new ArrayList<>();
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            command.add(setsid.toString()); // execs in place: the pid stays redis-server's
        }
        command.add(executable().getAbsolutePath());
        command.addAll(List.of(
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--dir", dataDir.toString(),
                "--appendonly", durable ? "yes" : "no",
                "--appendfsync", "always",
                "--save", "",
                "--maxclients", "20000",
                "--daemonize", "no"));
        return command;
    }

    private static synchronized File executable() throws IOException {
        if (executable == null || !executable.canExecute()) {
            executable = RedisExecProvider.defaultProvider().get();
        }
        return executable;
    }

    /** Waits until the server answers PING (it answers LOADING while it reads its AOF). */
    private void awaitReady(Process started) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                throw new IOException("redis-server exited with " + started.exitValue() + " on port " + port
                        + "; its output is in " + dataDir.resolve(LOG_FILE));
            }
            if ("+PONG".equals(Resp.firstLine(port, Duration.ofMillis(500), "PING"))) {
                long answering = processIdOnPort();
                // setsid execs in place, unless it had to fork: then redis-server is its child
                if (answering == started.pid() || started.descendants().anyMatch(child -> child.pid() == answering)) {
                    return;
                }
                if (answering > 0) {
                    // ours cannot bind the port: a start answered by another server is no start
                    started.destroyForcibly();
                    throw new IOException("another Redis (pid " + answering + ") answers on port " + port
                            + "; ours could not start there");
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                started.destroyForcibly();
                throw new IOException("interrupted while starting Redis", e);
            }
        }
        started.destroyForcibly();
        throw new IOException("redis-server did not answer on port " + port + " within " + READY_TIMEOUT);
    }

    /**
     * A JVM killed with SIGKILL leaves its redis-server child running on our port and data. Our caller
     * holds the data-directory lock, so that server is an orphan: SHUTDOWN flushes its AOF, then we start
     * our own on the same files. A Redis on our port that works on other files is not ours to stop: the
     * start fails instead.
     */
    private void shutDownOrphan() throws IOException {
        Object dir = Resp.reply(port, Duration.ofSeconds(5), "CONFIG", "GET", "dir");
        if (dir == null) {
            return; // nothing answers
        }
        boolean ours = dir instanceof List<?> setting && setting.size() == 2 && isOurDataDir(setting.get(1));
        // a Redis still loading its AOF refuses CONFIG: on our locked data directory, a killed run's
        boolean loading = dir instanceof String error && error.startsWith("-LOADING");
        if (!ours && !loading) {
            throw new IOException("port " + port + " is held by a Redis that does not work in " + dataDir
                    + " (its dir: " + dir + "); give Pollster another port");
        }
        if (Resp.shutdown(port)) {
            log.warn("Shut down an orphaned Redis left on port {} by a previous run", port);
        }
    }

    private boolean isOurDataDir(Object dir) {
        try {
            return dir instanceof String path && Path.of(path).toRealPath().equals(dataDir.toRealPath());
        } catch (IOException | RuntimeException notADirectory) {
            return false;
        }
    }

    /** The pid of the Redis answering on our port, from {@code INFO server}; -1 if none tells. */
    private long processIdOnPort() {
        Object info = Resp.reply(port, Duration.ofMillis(500), "INFO", "server");
        if (info instanceof String text) {
            for (String line : text.split("\r\n")) {
                if (line.startsWith("process_id:")) {
                    return Long.parseLong(line.substring("process_id:".length()).trim());
                }
            }
        }
        return -1;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The pid of the redis-server process, or -1 when it does not run. */
    @Override
    public synchronized long pid() {
        return isRunning() ? process.pid() : -1;
    }

    /**
     * Stops the server and keeps its AOF; {@link #start()} brings it back on the same port. SIGTERM makes
     * Redis write and fsync its AOF before it exits.
     */
    @Override
    public synchronized void stop() {
        Process running = process;
        process = null;
        if (running == null || !running.isAlive()) {
            return;
        }
        log.info("Stopping embedded Redis (pid {}) on port {}", running.pid(), port);
        running.destroy();
        try {
            if (!running.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                log.warn("Embedded Redis did not stop within {}; killing it", STOP_TIMEOUT);
                running.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("Embedded Redis stopped");
    }
}
