package io.pollster.live.sse;

import io.pollster.live.fanout.FanoutMetrics;
import io.pollster.live.fanout.ResultsFrame;
import io.pollster.live.fanout.Viewer;
import io.pollster.live.fanout.WritePump;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SSE viewer on a raw asynchronous response with non-blocking writes through the same
 * {@link WritePump} as WebSocket viewers: a frame is written only when the container says the socket can
 * take it. No thread ever waits on the peer.
 */
final class SseViewer extends Viewer implements AsyncListener {

    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.UTF_8);

    private enum Kind {
        RESULTS,
        PING
    }

    private final AsyncContext async;
    private final WritePump<Kind> pump;
    private final AtomicInteger connections;
    private final Runnable onRelease;
    private final AtomicBoolean released = new AtomicBoolean();

    SseViewer(
            AsyncContext async,
            ServletOutputStream out,
            AtomicInteger connections,
            FanoutMetrics metrics,
            Runnable onRelease) {
        super(metrics);
        this.async = async;
        this.connections = connections;
        this.onRelease = onRelease;
        this.pump = new WritePump<>(out, this::written);
    }

    /** The stream's write listener. */
    WritePump<?> pump() {
        return pump;
    }

    @Override
    protected void transmit(ResultsFrame frame) {
        pump.send(Kind.RESULTS, frame.sse());
    }

    @Override
    protected void transmitPing() {
        pump.send(Kind.PING, PING);
    }

    @Override
    protected long transportStalledSinceNanos() {
        return pump.stalledSinceNanos();
    }

    private void written(Kind kind, Throwable failure) {
        if (kind == Kind.PING) {
            pinged(failure);
        } else {
            sent(failure);
        }
    }

    @Override
    protected void close(boolean normally) {
        pump.terminate();
        try {
            async.complete();
        } catch (RuntimeException alreadyCompleted) {
            // the container completed it first
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        if (released.compareAndSet(false, true)) {
            connections.decrementAndGet();
            onRelease.run();
        }
        pump.terminate();
        closedByPeer();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        disconnect(true);
    }

    @Override
    public void onError(AsyncEvent event) {
        disconnect(false);
    }

    @Override
    public void onStartAsync(AsyncEvent event) {}
}
