package io.pollster.live.ws;

import io.pollster.live.fanout.ResultsFrame;
import io.pollster.live.fanout.WritePump;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one WebSocket connection (RFC 6455) of a read-only viewer, on the Servlet API's
 * upgraded, non-blocking streams. Server frames are unmasked, so a results frame is the same bytes for
 * every viewer: it is built once ({@code ResultsFrame.webSocket}) and a send is a plain write, without the
 * per-session UTF-8 encoding, locking and dispatched completion of the container's JSR-356 async send.
 *
 * <p>What the client sends goes through {@link WebSocketFrameReader}, which fails the connection on any
 * frame that breaks RFC 6455 (1002, 1007, 1009). Pings are answered, the latest only: a pong not yet
 * written is replaced by the newer one. A close is returned and ends the connection; data frames are
 * ignored (viewers send nothing). Writes go through one {@link WritePump}, the same as SSE's, so what one
 * connection holds is bounded and its pongs count as writes in flight. A ping of ours unanswered within
 * the pong timeout closes the connection (1001): a silent or half-open client does not keep its slot.
 *
 * <p>The container creates this class (hence public, with a no-argument constructor);
 * {@link ResultsWebSocketController} configures it before {@link #init} runs.
 */
public final class WebSocketConnection implements HttpUpgradeHandler, ReadListener, WebSocketFrameReader.Handler {

    static final int NORMAL_CLOSURE = 1000;
    static final int GOING_AWAY = 1001;
    static final int INTERNAL_ERROR = 1011;

    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);

    private static final byte[] PING = {(byte) 0x89, 0};

    enum Kind {
        RESULTS,
        PING,
        PONG,
        CLOSE
    }

    /** How a connection is set up before the container starts it. */
    record Settings(ScheduledExecutorService timer, long closeTimeoutMillis, long pongTimeoutMillis) {}

    private WebSocketViewer viewer;
    private int refusalCode;
    private String refusalReason;
    private Settings settings;
    private Runnable onRelease = () -> {};

    private WebConnection connection;
    private ServletInputStream in;
    private volatile WritePump<Kind> pump;

    // changed under this; volatile so the container's read thread can look without taking the lock
    // (it holds Tomcat's socket lock, which terminate's socket close needs: taking ours there deadlocks)
    private volatile boolean closeQueued;
    private boolean closeReceived;
    private volatile boolean terminated;

    /** When our unanswered ping was sent ({@link System#nanoTime()}), or 0 if none is. */
    private volatile long pingUnansweredSince;

    // reader state: only the container's read callbacks touch it, one at a time
    private final WebSocketFrameReader reader = new WebSocketFrameReader(this);
    private final byte[] readChunk = new byte[WebSocketFrameReader.MAX_MESSAGE];

    /** Open normally: results for {@code viewer} once the connection is up. */
    void serve(WebSocketViewer viewer, Settings settings, Runnable onRelease) {
        this.viewer = viewer;
        this.settings = settings;
        this.onRelease = onRelease;
    }

    /** Open only to close at once with {@code code} (docs/api.md: an unknown poll closes with 4404). */
    void refuse(int code, String reason, Settings settings, Runnable onRelease) {
        this.refusalCode = code;
        this.refusalReason = reason;
        this.settings = settings;
        this.onRelease = onRelease;
    }

    @Override
    public void init(WebConnection webConnection) {
        try {
            synchronized (this) {
                connection = webConnection;
                in = webConnection.getInputStream();
                WritePump<Kind> writes = new WritePump<>(webConnection.getOutputStream(), this::written);
                pump = writes;
                webConnection.getOutputStream().setWriteListener(writes);
                in.setReadListener(this);
            }
        } catch (IOException | RuntimeException e) {
            terminate(false);
            return;
        }
        if (viewer == null) {
            close(refusalCode, refusalReason);
        } else {
            viewer.opened(this);
        }
    }

    /** Queues a results frame; the viewer hears back through {@code resultsWritten}. */
    void sendResults(byte[] frame) {
        pump.send(Kind.RESULTS, frame);
    }

    /**
     * Queues a ping; the viewer hears back through {@code pingWritten}. Unanswered after the pong timeout,
     * it closes the connection.
     */
    void sendPing() {
        // the deadline runs from the first ping left unanswered: later pings (the ping interval may be
        // shorter than the pong timeout) do not move it
        if (pingUnansweredSince == 0) {
            long sent = System.nanoTime();
            pingUnansweredSince = sent;
            later(() -> checkPong(sent), settings.pongTimeoutMillis());
        }
        pump.send(Kind.PING, PING);
    }

    /** Since when the connection's writes made no progress, pongs included; 0 if none is pending. */
    long stalledSinceNanos() {
        WritePump<Kind> writes = pump;
        return writes == null ? 0 : writes.stalledSinceNanos();
    }

    /**
     * Starts the closing handshake: a close frame after what is queued; the connection ends when the
     * peer answers, or after the close timeout.
     */
    void close(int code, String reason) {
        synchronized (this) {
            if (closeQueued || terminated) {
                return;
            }
            closeQueued = true;
        }
        // the close timeout runs from now, not from when the frame is out: a peer that reads nothing would
        // never let it out, and a closing connection has left its feed, so no send timeout watches it
        later(() -> terminate(true), settings.closeTimeoutMillis());
        pump.sendLast(Kind.CLOSE, closeFrame(code, reason));
    }

    /**
     * Ends the connection now, without a closing handshake: for a peer that stopped reading. Its socket
     * is closed too, since no event of such a peer would ever let the container release it.
     */
    void abort() {
        terminate(true);
    }

    private void written(Kind kind, Throwable failure) {
        switch (kind) {
            case RESULTS -> {
                if (viewer != null) {
                    viewer.resultsWritten(failure);
                }
            }
            case PING -> {
                if (viewer != null) {
                    viewer.pingWritten(failure);
                }
            }
            case CLOSE -> {
                if (failure == null) {
                    closeWritten();
                } else {
                    terminate(true);
                }
            }
            case PONG -> {
                // nothing waits for a pong; a failed one fails the writes after it, or the next read
            }
        }
    }

    /**
     * Our close frame is out: end now if the peer's close already came; else the peer has until the close
     * timeout (see {@link #close}), after which its socket is released directly, as for a peer that
     * stopped reading, since it may be gone without a word.
     */
    private void closeWritten() {
        boolean end;
        synchronized (this) {
            end = closeReceived;
        }
        if (end) {
            terminate(false);
        }
    }

    private void checkPong(long pingSent) {
        if (pingUnansweredSince != pingSent) {
            return;
        }
        synchronized (this) {
            if (terminated || closeQueued) {
                return;
            }
        }
        if (viewer != null) {
            viewer.pongTimedOut();
        }
        close(GOING_AWAY, "pong timeout");
    }

    private void later(Runnable action, long delayMillis) {
        try {
            settings.timer().schedule(action, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // the application is stopping and closes every connection itself
        }
    }

    private void terminate(boolean closeSocket) {
        WebConnection upgraded;
        synchronized (this) {
            if (terminated) {
                return;
            }
            terminated = true;
            upgraded = connection;
        }
        // outside our lock: closing takes Tomcat's socket lock, which a read callback holds while it
        // calls into this connection
        WritePump<Kind> writes = pump;
        if (writes != null) {
            writes.terminate();
        }
        closeQuietly(upgraded);
        if (closeSocket && upgraded != null) {
            TomcatSockets.closeNow(upgraded);
        }
        onRelease.run();
        if (viewer != null) {
            viewer.released();
        }
    }

    private static void closeQuietly(WebConnection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (Exception alreadyClosed) {
                // nothing left to release
            }
        }
    }

    @Override
    public void onDataAvailable() throws IOException {
        // a peer that never stops sending would keep this loop, and Tomcat's socket lock, forever: a
        // terminated connection stops reading so its socket can be closed
        while (!terminated && in.isReady()) {
            int n = in.read(readChunk, 0, readChunk.length);
            if (n < 0) {
                terminate(false);
                return;
            }
            // after a close frame or a violation the rest is read and dropped until the peer closes
            if (!reader.ended()) {
                try {
                    reader.read(readChunk, 0, n);
                } catch (RuntimeException e) {
                    // a bug of ours, not the peer's: end this connection, never the container's read loop
                    log.error("Failing a WebSocket connection on an unexpected error", e);
                    close(INTERNAL_ERROR, "");
                    return;
                }
            }
        }
    }

    @Override
    public void ping(byte[] payload) {
        if (closeQueued) {
            // RFC 6455 5.5.1: nothing more after our close frame
            return;
        }
        pump.sendControl(Kind.PONG, ResultsFrame.unmaskedFrame(0xA, payload));
    }

    @Override
    public void pong(byte[] payload) {
        // any pong will do (RFC 6455 5.5.3 allows unsolicited ones as a heartbeat); ours carry nothing
        pingUnansweredSince = 0;
    }

    @Override
    public void closeReceived(int code, String reason) {
        boolean answered;
        synchronized (this) {
            closeReceived = true;
            answered = closeQueued;
        }
        if (answered) {
            terminate(false);
            return;
        }
        if (viewer != null) {
            viewer.closedByPeer();
        }
        // echo the peer's status code, as RFC 6455 5.5.1 suggests; a close without one is answered with 1000
        close(code == WebSocketFrameReader.NO_STATUS ? NORMAL_CLOSURE : code, "");
    }

    @Override
    public void message(int opcode, int length) {
        // a viewer has nothing to say: valid messages are read and dropped
    }

    @Override
    public void fail(int code, String reason) {
        if (viewer != null) {
            viewer.protocolViolated();
        }
        close(code, reason);
    }

    @Override
    public void onAllDataRead() {
        terminate(false);
    }

    @Override
    public void onError(Throwable failure) {
        terminate(false);
    }

    @Override
    public void destroy() {
        terminate(false);
    }

    static byte[] closeFrame(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + Math.min(text.length, 123)];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, payload.length - 2);
        return ResultsFrame.unmaskedFrame(0x8, payload);
    }
}
