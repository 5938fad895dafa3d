package io.pollster.live.ws;

import io.pollster.core.poll.PollDefinition;
import io.pollster.live.fanout.FanoutMetrics;
import io.pollster.live.fanout.ResultsBroadcaster;
import io.pollster.live.fanout.ResultsFrame;
import io.pollster.live.fanout.Viewer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A WebSocket viewer: results frames are the pre-built bytes of {@link ResultsFrame#webSocket()},
 * written by its {@link WebSocketConnection} without blocking.
 */
final class WebSocketViewer extends Viewer {

    private final PollDefinition poll;
    private final ResultsBroadcaster broadcaster;
    private final AtomicBoolean counted = new AtomicBoolean();
    private volatile WebSocketConnection connection;

    WebSocketViewer(PollDefinition poll, ResultsBroadcaster broadcaster, FanoutMetrics metrics) {
        super(metrics);
        this.poll = poll;
        this.broadcaster = broadcaster;
    }

    /** The connection is up: results start flowing, the current ones first. */
    void opened(WebSocketConnection connection) {
        this.connection = connection;
        if (counted.compareAndSet(false, true)) {
            metrics.connections(true).incrementAndGet();
        }
        broadcaster.watch(poll, this);
    }

    /** The connection is gone, however it ended. */
    void released() {
        closedByPeer();
        if (counted.compareAndSet(true, false)) {
            metrics.connections(true).decrementAndGet();
        }
    }

    /** The client answered no ping in time: the connection is closing. */
    void pongTimedOut() {
        metrics.disconnected("pong-timeout");
        closedByPeer();
    }

    /** The client broke RFC 6455: the connection is closing. */
    void protocolViolated() {
        metrics.disconnected("protocol-error");
        closedByPeer();
    }

    /** The connection finished (or failed) writing a results frame. */
    void resultsWritten(Throwable failure) {
        sent(failure);
    }

    /** The connection finished (or failed) writing a ping. */
    void pingWritten(Throwable failure) {
        pinged(failure);
    }

    @Override
    protected void transmit(ResultsFrame frame) {
        connection.sendResults(frame.webSocket());
    }

    @Override
    protected void transmitPing() {
        connection.sendPing();
    }

    @Override
    protected long transportStalledSinceNanos() {
        WebSocketConnection current = connection;
        return current == null ? 0 : current.stalledSinceNanos();
    }

    @Override
    protected void close(boolean normally) {
        if (normally) {
            connection.close(WebSocketConnection.NORMAL_CLOSURE, "");
        } else {
            // a viewer that stopped reading would never take a close frame
            connection.abort();
        }
    }
}
