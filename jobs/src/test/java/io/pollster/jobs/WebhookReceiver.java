package io.pollster.jobs;

import com.sun.net.httpserver.HttpServer;
import io.pollster.core.json.PollsterJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;

/** A webhook receiver for tests: records every POST, and fails (500) for the recipients it is told to. */
public final class WebhookReceiver {

    /** One POST received. */
    public record Attempt(UUID notificationId, UUID recipientId, String headerId, int status, Instant at) {}

    private final HttpServer server;
    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    private final Set<UUID> failing = ConcurrentHashMap.newKeySet();

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    public static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            WebhookReceiver receiver = new WebhookReceiver(server);
            server.createContext("/hook", exchange -> {
                JsonNode body = PollsterJson.mapper().readTree(exchange.getRequestBody());
                UUID recipient = UUID.fromString(body.get("recipient_id").asString());
                int status = receiver.failing.contains(recipient) ? 500 : 204;
                receiver.attempts.add(new Attempt(
                        UUID.fromString(body.get("notification_id").asString()),
                        recipient,
                        exchange.getRequestHeaders().getFirst("Pollster-Notification-Id"),
                        status,
                        Instant.now()));
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    public void failFor(UUID recipient) {
        failing.add(recipient);
    }

    public List<Attempt> attemptsFor(UUID recipient) {
        return attempts.stream().filter(a -> a.recipientId().equals(recipient)).toList();
    }
}
