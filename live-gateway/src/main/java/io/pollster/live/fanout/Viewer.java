package io.pollster.live.fanout;

import io.pollster.core.results.ResultsViewer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One viewer connection with a "latest pending" slot and at most one send in flight. The broadcaster
 * only ever {@link #offer}s: that never blocks, so a slow viewer cannot delay the others. While a send
 * is in flight, newer frames replace the pending one (the viewer skips to the latest results); a frame
 * that does not supersede what the viewer already has is dropped, so versions never go backwards.
 */
public abstract class Viewer {

    private final AtomicReference<ResultsFrame> pending = new AtomicReference<>();
    /** Held while a send or ping is in flight: the transports allow one write at a time. */
    private final AtomicBoolean busy = new AtomicBoolean();

    private final AtomicBoolean closed = new AtomicBoolean();
    protected final FanoutMetrics metrics;
    /** Guarded by {@link #busy}. */
    private ResultsFrame lastSent;

    private volatile long lastWriteNanos = System.nanoTime();
    private volatile long writeStartedNanos;
    private volatile Runnable onClose = () -> {};
    /** Who watches, as core's ResultsAccess needs to know, for re-checks while counts are hidden. */
    private volatile ResultsViewer identity = ResultsViewer.anonymous();
    /** Whether this connection may see counts (ResultsAccess); else it gets messages' hidden shape. */
    private volatile boolean seesCounts = true;

    protected Viewer(FanoutMetrics metrics) {
        this.metrics = metrics;
    }

    /** Queues {@code frame} for this viewer, replacing an unsent older one. Never blocks. */
    public final void offer(ResultsFrame frame) {
        if (closed.get()) {
            metrics.dropped();
            return;
        }
        ResultsFrame previous;
        do {
            previous = pending.get();
            if (previous != null && !frame.supersedes(previous)) {
                metrics.dropped();
                return;
            }
        } while (!pending.compareAndSet(previous, frame));
        if (previous != null) {
            metrics.coalesced();
        }
        drain();
    }

    private void drain() {
        while (!closed.get() && pending.get() != null && busy.compareAndSet(false, true)) {
            ResultsFrame offered = pending.getAndSet(null);
            ResultsFrame next = offered == null ? null : offered.forViewer(seesCounts);
            // a viewer just allowed to see counts gets the message it had hidden again, in full
            boolean revealed = next != null
                    && lastSent != null
                    && lastSent.countsHidden()
                    && !next.countsHidden()
                    && !lastSent.supersedes(next);
            if (next == null || !(next.supersedes(lastSent) || revealed)) {
                if (next != null) {
                    metrics.dropped();
                }
                busy.set(false);
                continue;
            }
            lastSent = next;
            writeStartedNanos = System.nanoTime();
            try {
                transmit(next);
            } catch (RuntimeException e) {
                sent(e);
            }
            return;
        }
    }

    /**
     * Who this viewer is and whether it may see counts now (core's ResultsAccess decided it); set before
     * the viewer watches its poll.
     */
    public final void identify(ResultsViewer identity, boolean seesCounts) {
        this.identity = identity;
        this.seesCounts = seesCounts;
    }

    public final ResultsViewer identity() {
        return identity;
    }

    public final boolean seesCounts() {
        return seesCounts;
    }

    /**
     * The viewer may see counts from now on (its vote was accepted, or the poll closed): it gets {@code
     * current} again in full, without reconnecting, and every message after it.
     */
    final void reveal(ResultsFrame current) {
        if (seesCounts) {
            return;
        }
        seesCounts = true;
        if (current != null) {
            offer(current);
        }
    }

    /** Transport callback: the frame given to {@link #transmit} is written, or failed. */
    protected final void sent(Throwable failure) {
        ResultsFrame frame = lastSent;
        writeDone();
        if (failure != null) {
            metrics.dropped();
            if (timedOut(failure)) {
                metrics.disconnectedSlow();
            }
            disconnect(false);
            return;
        }
        metrics.sent();
        busy.set(false);
        if (frame.closed()) {
            // the final message: nothing more will come for this poll
            disconnect(true);
            return;
        }
        drain();
    }

    private static boolean timedOut(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.SocketTimeoutException
                    || cause instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends a keep-alive if nothing was written for {@code idleNanos} and nothing is in flight; {@code now}
     * is one {@link System#nanoTime()} for the whole sweep over a node's viewers.
     */
    final void pingIfIdle(long idleNanos, long now) {
        if (closed.get() || now - lastWriteNanos < idleNanos || !busy.compareAndSet(false, true)) {
            return;
        }
        writeStartedNanos = now;
        try {
            transmitPing();
        } catch (RuntimeException e) {
            pinged(e);
        }
    }

    /** Transport callback: the ping given to {@link #transmitPing} is written, or failed. */
    protected final void pinged(Throwable failure) {
        writeDone();
        if (failure != null) {
            disconnect(false);
            return;
        }
        busy.set(false);
        drain();
    }

    private void writeDone() {
        long now = System.nanoTime();
        lastWriteNanos = now;
        writeStartedNanos = 0;
    }

    /**
     * Whether, at {@code now}, a write has been in flight for longer than {@code limitNanos}: one of ours,
     * or any write of the transport's own (a WebSocket pong) that the socket has not taken.
     */
    final boolean stuckLongerThan(long limitNanos, long now) {
        long started = writeStartedNanos;
        long stalled = transportStalledSinceNanos();
        return (started != 0 && now - started > limitNanos) || (stalled != 0 && now - stalled > limitNanos);
    }

    /**
     * Since when ({@link System#nanoTime()}) the transport has had writes pending without completing any,
     * control frames included ({@link WritePump#stalledSinceNanos()}), or 0.
     */
    protected long transportStalledSinceNanos() {
        return 0;
    }

    /** Disconnects a viewer whose write is stuck: it would only fall further behind. */
    final void disconnectStuck() {
        metrics.disconnectedSlow();
        disconnect(false);
    }

    /**
     * Closes the connection once: normally after the final message, otherwise as failed. Also runs the
     * close callback (leaving the poll's feed), so a transport's own close notification is optional.
     */
    public final void disconnect(boolean normally) {
        if (closed.compareAndSet(false, true)) {
            if (pending.getAndSet(null) != null) {
                metrics.dropped();
            }
            onClose.run();
            try {
                close(normally);
            } catch (RuntimeException ignored) {
                // the peer is gone already: nothing left to release
            }
        }
    }

    /** Marks the connection closed by the peer or the transport. */
    public final void closedByPeer() {
        if (closed.compareAndSet(false, true)) {
            onClose.run();
        }
    }

    public final boolean isClosed() {
        return closed.get();
    }

    final void onClose(Runnable callback) {
        onClose = callback;
        if (closed.get()) {
            callback.run();
        }
    }

    /** Starts writing {@code frame}; calls {@link #sent} when done. Must not block on the peer. */
    protected abstract void transmit(ResultsFrame frame);

    /** Starts writing a keep-alive; calls {@link #pinged} when done. */
    protected abstract void transmitPing();

    /** Closes the underlying connection. Must not block on the peer. */
    protected abstract void close(boolean normally);
}
