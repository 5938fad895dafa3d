package io.pollster.live.ws;

import io.pollster.live.fanout.FanoutMetrics;
import io.pollster.live.fanout.ResultsFrame;
import io.pollster.live.fanout.Viewer;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

/**
 * A WebSocket viewer. Frames go out through the container's asynchronous send (the calling thread never
 * waits on the peer) with a send timeout; closing runs on another thread because a close frame to a
 * stuck peer can block until the container gives up.
 */
final class WebSocketViewer extends Viewer {

    private static final ByteBuffer PING = ByteBuffer.allocate(0);

    private final WebSocketSession session;
    private final Session container;
    private final Executor closer;

    WebSocketViewer(
            WebSocketSession session,
            Session container,
            long sendTimeoutMillis,
            Executor closer,
            FanoutMetrics metrics) {
        super(metrics);
        this.session = session;
        this.container = container;
        this.closer = closer;
        container.getAsyncRemote().setSendTimeout(sendTimeoutMillis);
        // pings and close frames use Tomcat's blocking send: bound it the same way
        container.getUserProperties().put("org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT", sendTimeoutMillis);
    }

    @Override
    protected void transmit(ResultsFrame frame) {
        container.getAsyncRemote().sendText(frame.json(), result -> sent(result.isOK() ? null : result.getException()));
    }

    @Override
    protected void transmitPing() {
        try {
            container.getAsyncRemote().sendPing(PING.duplicate());
            pinged(null);
        } catch (IOException | RuntimeException e) {
            pinged(e);
        }
    }

    @Override
    protected void close(boolean normally) {
        CloseStatus status = normally ? CloseStatus.NORMAL : CloseStatus.SESSION_NOT_RELIABLE;
        closer.execute(() -> {
            try {
                session.close(status);
            } catch (IOException | RuntimeException alreadyGone) {
                // nothing to release: the container drops the session
            }
        });
    }
}
