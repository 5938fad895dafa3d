package io.pollster.topology;

import static org.awaitility.Awaitility.await;

import io.pollster.embedded.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's nginx running the shipped {@code deploy/nginx.conf} with only its addresses changed: each
 * {@code server <compose host>:<port>;} line of an upstream becomes one line per running instance of
 * that compose service, and {@code listen 80;} a free loopback port. Its pid file and error log live in
 * the topology's directory (nginx's compiled-in temp and access-log paths stay as the package made
 * them: the shipped file sets none, and they are directives of the file's own blocks).
 */
public final class LoadBalancer implements AutoCloseable {

    private static final Pattern UPSTREAM_SERVER =
            Pattern.compile("(?m)^(\\s*)server\\s+([A-Za-z0-9_.-]+:\\d+)\\s*;\\s*$");
    private static final Pattern LISTEN = Pattern.compile("(?m)^(\\s*)listen\\s+80\\s*;\\s*$");

    private final int port = FreePorts.pick();
    private final String config;
    private final ManagedProcess process;

    private LoadBalancer(Path shipped, Map<String, List<String>> upstreams, Path dir) {
        config = render(read(shipped), upstreams, port);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("nginx.conf"), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String nginx = System.getProperty("pollster.topology.nginx", "/usr/sbin/nginx");
        String globals =
                "daemon off; pid " + dir.resolve("nginx.pid") + "; error_log " + dir.resolve("error.log") + " info;";
        process = ManagedProcess.start(
                "nginx",
                new ProcessBuilder(List.of(
                        nginx, "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(), "-g", globals)),
                dir.resolve("nginx.out"));
        await("nginx listening on 127.0.0.1:" + port)
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .failFast("nginx exited: " + dir, () -> !process.isAlive())
                .until(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                        return true;
                    }
                });
    }

    /**
     * Starts nginx on {@code shipped} where {@code upstreams} maps each compose address of the file
     * ({@code write-api:8080}) to the addresses of its running instances.
     */
    public static LoadBalancer start(Path shipped, Map<String, List<String>> upstreams, Path dir) {
        return new LoadBalancer(shipped, upstreams, dir);
    }

    /** The shipped file with its addresses substituted; fails on any upstream server it was not told of. */
    static String render(String shipped, Map<String, List<String>> upstreams, int port) {
        Set<String> seen = new HashSet<>();
        Matcher servers = UPSTREAM_SERVER.matcher(shipped);
        StringBuilder out = new StringBuilder();
        while (servers.find()) {
            String indent = servers.group(1);
            String composeAddress = servers.group(2);
            List<String> addresses = upstreams.get(composeAddress);
            if (addresses == null || addresses.isEmpty()) {
                throw new IllegalArgumentException("deploy/nginx.conf proxies to " + composeAddress
                        + ", which this topology does not run (it runs " + upstreams.keySet() + ")");
            }
            seen.add(composeAddress);
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < addresses.size(); i++) {
                lines.append(i == 0 ? "" : "\n")
                        .append(indent)
                        .append("server ")
                        .append(addresses.get(i))
                        .append(';');
            }
            servers.appendReplacement(out, Matcher.quoteReplacement(lines.toString()));
        }
        servers.appendTail(out);
        if (!seen.equals(upstreams.keySet())) {
            throw new IllegalArgumentException(
                    "deploy/nginx.conf has upstream servers " + seen + ", expected " + upstreams.keySet());
        }
        Matcher listen = LISTEN.matcher(out);
        if (!listen.find()) {
            throw new IllegalArgumentException("deploy/nginx.conf does not listen on port 80");
        }
        String rendered =
                listen.replaceFirst(Matcher.quoteReplacement(listen.group(1) + "listen 127.0.0.1:" + port + ";"));
        if (LISTEN.matcher(rendered).find()) {
            throw new IllegalArgumentException("deploy/nginx.conf listens on port 80 more than once");
        }
        return rendered;
    }

    public int port() {
        return port;
    }

    /** The generated configuration nginx runs. */
    public String config() {
        return config;
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    public ManagedProcess process() {
        return process;
    }

    @Override
    public void close() {
        // SIGTERM: the master takes its workers down with it (a SIGKILL would orphan them)
        List<ProcessHandle> workers =
                ProcessHandle.of(process.pid()).map(p -> p.children().toList()).orElse(List.of());
        process.stop(Duration.ofSeconds(10));
        workers.forEach(ProcessHandle::destroyForcibly);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
