package io.pollster.live;

import io.pollster.core.json.ProblemResponses;
import io.pollster.core.json.ProblemType;
import io.pollster.live.fanout.FanoutMetrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;

/**
 * How many live connections each client IP holds on this node, WebSocket and SSE together, capped at
 * {@code pollster.live.max-connections-per-ip}. The IP is {@code request.getRemoteAddr()}: with core's
 * server defaults Tomcat takes it from the {@code X-Forwarded-For} of a trusted proxy only
 * ({@code server.tomcat.remoteip.internal-proxies}), so a client cannot spread itself over invented IPs.
 */
@Component
public class ConnectionsPerIp {

    private final int max;
    private final FanoutMetrics metrics;
    private final Map<String, Integer> connections = new ConcurrentHashMap<>();

    ConnectionsPerIp(LiveProperties properties, FanoutMetrics metrics) {
        this.max = properties.maxConnectionsPerIp();
        this.metrics = metrics;
    }

    /**
     * Counts one more connection of {@code ip}; returns what releases it (once, however often it is
     * run), or nothing if {@code ip} is at its limit.
     */
    public Optional<Runnable> acquire(String ip) {
        boolean[] admitted = {false};
        connections.compute(ip, (key, held) -> {
            int count = held == null ? 0 : held;
            if (count >= max) {
                return held;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0]) {
            metrics.disconnected("per-ip-limit");
            return Optional.empty();
        }
        AtomicBoolean released = new AtomicBoolean();
        return Optional.of(() -> {
            if (released.compareAndSet(false, true)) {
                connections.computeIfPresent(ip, (key, held) -> held <= 1 ? null : held - 1);
            }
        });
    }

    /**
     * Answers a connection refused for its IP's limit: 429 {@code rate-limited}; one must end before another
     * opens.
     */
    public static void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Retry-After", "5");
        ProblemResponses.write(
                request,
                response,
                ProblemType.RATE_LIMITED,
                "This client holds as many live connections as it may; close one first");
    }

    /** Connections {@code ip} holds now. */
    public int held(String ip) {
        return connections.getOrDefault(ip, 0);
    }
}
