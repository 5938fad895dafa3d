package io.pollster.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * Redis 7.0 with its append-only file in a data directory that outlives the process. With
 * {@code appendfsync everysec} a killed Redis loses nothing the kernel already has; a whole-machine crash
 * can lose the last second (DESIGN.md, invariant 1).
 */
public final class EmbeddedRedisServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedisServer.class);

    private final Path dataDir;
    private final int port;
    private final boolean durable;
    private RedisServer redis;

    public EmbeddedRedisServer(Path dataDir, int port, boolean durable) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.port = port == 0 ? FreePorts.pick() : port;
        this.durable = durable;
    }

    public synchronized EmbeddedRedisServer start() {
        if (redis != null) {
            return this;
        }
        try {
            Files.createDirectories(dataDir);
            shutDownOrphan();
            redis = RedisServer.builder()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("dir " + dataDir)
                    .setting("appendonly " + (durable ? "yes" : "no"))
                    .setting("appendfsync everysec")
                    .setting("save \"\"")
                    .setting("maxclients 20000")
                    .setting("daemonize no")
                    .build();
            redis.start();
            log.info("Embedded Redis 7.0 on port {} with data in {}", port, dataDir);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded Redis in " + dataDir, e);
        }
    }

    /**
     * A JVM killed with SIGKILL leaves its redis-server child running on our port and data. Our caller
     * holds the data-directory lock, so that server is an orphan: SHUTDOWN flushes its AOF, then we start
     * our own on the same files.
     */
    private void shutDownOrphan() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            OutputStream out = socket.getOutputStream();
            out.write("*1\r\n$8\r\nSHUTDOWN\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            log.warn("Shut down an orphaned Redis left on port {} by a previous run", port);
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // the server closes the connection once it has flushed and exited
            }
        } catch (java.net.ConnectException nobodyThere) {
            // the usual case: nothing listens on our port
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Stops the server and keeps its AOF; {@link #start()} brings it back on the same port. */
    public synchronized void stop() {
        if (redis == null) {
            return;
        }
        try {
            redis.stop();
        } finally {
            redis = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
