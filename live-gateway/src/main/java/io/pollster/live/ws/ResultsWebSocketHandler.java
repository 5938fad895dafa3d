package io.pollster.live.ws;

import io.pollster.core.poll.PollDefinition;
import io.pollster.live.LiveProperties;
import io.pollster.live.fanout.FanoutMetrics;
import io.pollster.live.fanout.ResultsBroadcaster;
import jakarta.websocket.Session;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/** {@code WS /ws/polls/{poll_id or slug}}: live results of one poll (API.md). Viewers send nothing. */
@Component
class ResultsWebSocketHandler extends TextWebSocketHandler implements DisposableBean {

    /** API.md: an unknown poll closes the socket with 4404. */
    static final CloseStatus POLL_NOT_FOUND = new CloseStatus(4404, "not-found");

    private static final String VIEWER = WebSocketViewer.class.getName();

    private final ResultsBroadcaster broadcaster;
    private final FanoutMetrics metrics;
    private final LiveProperties properties;
    private final ExecutorService closer = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "live-ws-close");
        thread.setDaemon(true);
        return thread;
    });

    ResultsWebSocketHandler(ResultsBroadcaster broadcaster, FanoutMetrics metrics, LiveProperties properties) {
        this.broadcaster = broadcaster;
        this.metrics = metrics;
        this.properties = properties;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws Exception {
        Optional<PollDefinition> poll = broadcaster.find(pollIdOrSlug(session.getUri()));
        if (poll.isEmpty()) {
            session.close(POLL_NOT_FOUND);
            return;
        }
        Session container = ((NativeWebSocketSession) session).getNativeSession(Session.class);
        WebSocketViewer viewer =
                new WebSocketViewer(session, container, properties.sendTimeout().toMillis(), closer, metrics);
        session.getAttributes().put(VIEWER, viewer);
        metrics.connections(true).incrementAndGet();
        broadcaster.watch(poll.get(), viewer);
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        if (session.getAttributes().remove(VIEWER) instanceof WebSocketViewer viewer) {
            metrics.connections(true).decrementAndGet();
            viewer.closedByPeer();
        }
    }

    static String pollIdOrSlug(URI uri) {
        String path = uri == null ? "" : uri.getRawPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        return URLDecoder.decode(last, StandardCharsets.UTF_8);
    }

    @Override
    public void destroy() {
        closer.shutdownNow();
    }
}
