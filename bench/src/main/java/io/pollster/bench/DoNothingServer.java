package io.pollster.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/**
 * The HTTP ceiling of this machine with a benchmark's client: a JDK HTTP server in the benchmark's own
 * process that reads each request and answers a fixed body, doing nothing else. What a benchmark reaches
 * against it in the same run is what the client, loopback and the cores allow; Pollster's figures are read
 * as a share of it.
 */
final class DoNothingServer {

    private DoNothingServer() {}

    /** Serves {@code answer} with {@code status} at {@code path}, on {@code port} (0: any free port). */
    static HttpServer start(int port, String path, int status, byte[] answer) throws IOException {
        noDelay();
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 1024);
        // daemon threads: a benchmark's JVM ends when its main thread does, whatever this server leaves behind
        server.setExecutor(Executors.newFixedThreadPool(64, task -> {
            Thread thread = new Thread(task, "do-nothing-server");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext(path, exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        return server;
    }

    /**
     * Without TCP_NODELAY the JDK server's header and body writes meet the client's delayed ACK: every
     * request would wait ~40 ms, which measures the kernel's timers, not the server. Set before the first
     * JDK server of the process is created.
     */
    static void noDelay() {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }
}
