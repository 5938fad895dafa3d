package io.pollster.topology;

import static org.awaitility.Awaitility.await;

import io.pollster.embedded.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code redis-server} (Debian's, or {@code pollster.topology.redis-server}) as its own process,
 * run with the arguments of the {@code redis} service of docker-compose.yml (its append-only file
 * among them) on a free loopback port; the services' {@code redis://redis:6379} becomes its address.
 */
public final class PlainRedis implements RedisDeployment {

    private static final String COMPOSE_ADDRESS = "redis:6379";

    private final int port = FreePorts.pick();
    private Path dir;
    private List<String> command;
    private ManagedProcess server;

    @Override
    public void start(Path dir, ComposeFile compose) {
        this.dir = dir;
        List<String> composeCommand = compose.command("redis");
        if (composeCommand.isEmpty() || !composeCommand.get(0).equals("redis-server")) {
            throw new IllegalStateException("the redis service of docker-compose.yml runs " + composeCommand);
        }
        command = new ArrayList<>();
        command.add(System.getProperty("pollster.topology.redis-server", "redis-server"));
        command.addAll(composeCommand.subList(1, composeCommand.size()));
        command.addAll(List.of(
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no"));
        startServer();
    }

    @Override
    public Map<String, String> serviceEnvironment(Map<String, String> composeEnvironment) {
        return ComposeFile.substitute(composeEnvironment, Map.of(COMPOSE_ADDRESS, address()));
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public ManagedProcess process() {
        return server;
    }

    /** SIGKILL; what the kernel had of the append-only file survives. */
    public void kill() {
        server.kill();
    }

    /** Starts it again on the same port and directory (replaying its append-only file). */
    public void restart() {
        startServer();
    }

    @Override
    public String description() {
        return "redis-server on " + address() + " (" + String.join(" ", command.subList(1, command.size())) + ")";
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }

    private void startServer() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        server = ManagedProcess.start(
                "redis", new ProcessBuilder(command).directory(dir.toFile()), dir.resolve("redis.log"));
        await("redis-server answering PING on " + address())
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .failFast("redis-server exited; see " + server.log(), () -> !server.isAlive())
                .until(this::answersPing);
    }

    private boolean answersPing() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int read = in.readNBytes(reply, 0, 7);
            // still loading its AOF it answers -LOADING; ready, +PONG
            return read == 7 && new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        }
    }
}
