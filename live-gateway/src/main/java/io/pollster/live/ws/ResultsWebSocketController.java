package io.pollster.live.ws;

import io.pollster.core.json.ProblemResponses;
import io.pollster.core.json.ProblemType;
import io.pollster.core.poll.PollDefinition;
import io.pollster.live.ConnectionsPerIp;
import io.pollster.live.LiveProperties;
import io.pollster.live.LiveViewers;
import io.pollster.live.fanout.FanoutMetrics;
import io.pollster.live.fanout.ResultsBroadcaster;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code WS /ws/polls/{poll_id or slug}}: live results of one poll (docs/api.md). The opening handshake
 * (RFC 6455 section 4.2) is answered here and the connection upgraded to a {@link WebSocketConnection}
 * through the Servlet API; no extension or subprotocol is negotiated, so every viewer can be sent the
 * same pre-built frame bytes. An unknown poll is upgraded too and then closed with 4404, as docs/api.md
 * asks; a request that is not a WebSocket handshake gets a problem+json answer.
 */
@RestController
class ResultsWebSocketController implements DisposableBean {

    /** docs/api.md: an unknown poll closes the socket with 4404. */
    static final int POLL_NOT_FOUND = 4404;

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ResultsBroadcaster broadcaster;
    private final FanoutMetrics metrics;
    private final ConnectionsPerIp connectionsPerIp;
    private final LiveViewers liveViewers;
    private final WebSocketConnection.Settings settings;
    /** Ends connections whose peer never answers our close frame; reports failed writes. */
    private final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "live-ws-close");
        thread.setDaemon(true);
        return thread;
    });

    ResultsWebSocketController(
            ResultsBroadcaster broadcaster,
            FanoutMetrics metrics,
            ConnectionsPerIp connectionsPerIp,
            LiveViewers liveViewers,
            LiveProperties properties) {
        // a Tomcat whose upgraded streams changed shape would leave stalled peers' sockets open: refuse to start
        TomcatSockets.verify();
        this.broadcaster = broadcaster;
        this.metrics = metrics;
        this.connectionsPerIp = connectionsPerIp;
        this.liveViewers = liveViewers;
        this.settings = new WebSocketConnection.Settings(
                closer,
                properties.sendTimeout().toMillis(),
                properties.pongTimeout().toMillis());
    }

    @GetMapping("/ws/polls/{idOrSlug}")
    void upgrade(@PathVariable String idOrSlug, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        String key = request.getHeader("Sec-WebSocket-Key");
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))
                || !hasToken(request.getHeader("Connection"), "upgrade")
                || key == null
                || key.isBlank()) {
            ProblemResponses.write(
                    request,
                    response,
                    ProblemType.MALFORMED_REQUEST,
                    "Expected a WebSocket opening handshake (Upgrade: websocket, Sec-WebSocket-Key)");
            return;
        }
        if (!"13".equals(request.getHeader("Sec-WebSocket-Version"))) {
            response.setHeader("Sec-WebSocket-Version", "13");
            ProblemResponses.write(
                    request,
                    response,
                    ProblemType.MALFORMED_REQUEST,
                    HttpStatus.UPGRADE_REQUIRED,
                    "Only WebSocket version 13");
            return;
        }
        Optional<Runnable> slot = connectionsPerIp.acquire(request.getRemoteAddr());
        if (slot.isEmpty()) {
            ConnectionsPerIp.refuse(request, response);
            return;
        }
        Runnable release = slot.get();
        try {
            Optional<PollDefinition> poll = broadcaster.find(idOrSlug);
            WebSocketViewer viewer =
                    poll.map(p -> new WebSocketViewer(p, broadcaster, metrics)).orElse(null);
            if (viewer != null) {
                // a store out of reach fails the handshake here, answered 503 (core's StoreOutageResolver)
                broadcaster.ensureConnected();
                liveViewers.identify(poll.get(), request, viewer);
            }
            response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
            response.setHeader("Upgrade", "websocket");
            response.setHeader("Connection", "Upgrade");
            response.setHeader("Sec-WebSocket-Accept", accept(key.trim()));
            WebSocketConnection connection = request.upgrade(WebSocketConnection.class);
            if (poll.isEmpty()) {
                connection.refuse(POLL_NOT_FOUND, "not-found", settings, release);
                return;
            }
            connection.serve(viewer, settings, release);
        } catch (IOException | ServletException | RuntimeException e) {
            release.run();
            throw e;
        }
    }

    private static boolean hasToken(String header, String token) {
        if (header == null) {
            return false;
        }
        for (String part : header.split(",")) {
            if (part.trim().toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
        }
        return false;
    }

    /** RFC 6455 4.2.2: base64(SHA-1(key + GUID)). */
    static String accept(String key) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }

    @Override
    public void destroy() {
        closer.shutdownNow();
    }
}
