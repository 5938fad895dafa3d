package io.pollster.live.sse;

import io.pollster.live.fanout.FanoutMetrics;
import io.pollster.live.fanout.ResultsFrame;
import io.pollster.live.fanout.Viewer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SSE viewer on a raw asynchronous response with non-blocking writes: a frame is written only when
 * the container says the socket can take it, and its completion is signalled from
 * {@link #onWritePossible} when it could not be written at once. No thread ever waits on the peer.
 */
final class SseViewer extends Viewer implements WriteListener, AsyncListener {

    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.UTF_8);

    private final AsyncContext async;
    private final ServletOutputStream out;
    private final AtomicInteger connections;
    /** Bytes waiting for the socket to accept them, or null. Guarded by this. */
    private byte[] waiting;

    private boolean waitingIsPing;
    /** A write was started and its completion not yet reported. Guarded by this. */
    private boolean draining;

    private boolean drainingIsPing;

    SseViewer(AsyncContext async, ServletOutputStream out, AtomicInteger connections, FanoutMetrics metrics) {
        super(metrics);
        this.async = async;
        this.out = out;
        this.connections = connections;
    }

    @Override
    protected void transmit(ResultsFrame frame) {
        write(frame.sse(), false);
    }

    @Override
    protected void transmitPing() {
        write(PING, true);
    }

    private void write(byte[] bytes, boolean ping) {
        boolean done;
        synchronized (this) {
            waiting = bytes;
            waitingIsPing = ping;
            done = writeWaiting();
        }
        if (done) {
            completed(ping, null);
        }
    }

    /** Writes what is waiting if the socket can take it; returns whether the write is complete. */
    private boolean writeWaiting() {
        try {
            if (!out.isReady()) {
                return false;
            }
            out.write(waiting);
            boolean ping = waitingIsPing;
            waiting = null;
            if (out.isReady()) {
                out.flush();
            }
            if (out.isReady()) {
                return true;
            }
            draining = true;
            drainingIsPing = ping;
            return false;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void onWritePossible() {
        boolean done = false;
        boolean ping = false;
        synchronized (this) {
            if (draining) {
                draining = false;
                ping = drainingIsPing;
                done = true;
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                if (!out.isReady()) {
                    draining = true;
                    done = false;
                }
            } else if (waiting != null) {
                ping = waitingIsPing;
                done = writeWaiting();
            }
        }
        if (done) {
            completed(ping, null);
        }
    }

    private void completed(boolean ping, Throwable failure) {
        if (ping) {
            pinged(failure);
        } else {
            sent(failure);
        }
    }

    @Override
    public void onError(Throwable failure) {
        disconnect(false);
    }

    @Override
    protected void close(boolean normally) {
        try {
            async.complete();
        } catch (RuntimeException alreadyCompleted) {
            // the container completed it first
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        connections.decrementAndGet();
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
