package io.pollster.live.ws;

import io.pollster.live.fanout.ResultsFrame;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server side of one WebSocket connection (RFC 6455) of a read-only viewer, on the Servlet API's
 * upgraded, non-blocking streams. Server frames are unmasked, so a results frame is the same bytes for
 * every viewer: it is built once ({@code ResultsFrame.webSocket}) and a send is a plain write, without
 * the per-session UTF-8 encoding, locking and dispatched completion of the container's JSR-356 async
 * send. Of what the client sends, only control frames matter: pings are answered, a close is returned
 * and ends the connection; data frames are ignored (viewers send nothing).
 *
 * <p>Writes go out in order, one at a time, each only when the container says the socket can take it;
 * no thread ever waits on the peer. The container creates this class (hence public, with a no-argument
 * constructor); {@link ResultsWebSocketController} configures it before {@link #init} runs.
 */
public final class WebSocketConnection implements HttpUpgradeHandler, ReadListener, WriteListener {

    static final int NORMAL_CLOSURE = 1000;
    static final int PROTOCOL_ERROR = 1002;
    static final int MESSAGE_TOO_BIG = 1009;
    static final int INTERNAL_ERROR = 1011;

    /** Largest client frame read: control frames carry at most 125 bytes, and viewers send no data. */
    private static final int MAX_CLIENT_FRAME = 4096;

    private static final byte[] PING = {(byte) 0x89, 0};

    private enum Kind {
        RESULTS,
        PING,
        CONTROL,
        CLOSE
    }

    private record Write(byte[] bytes, Kind kind) {}

    private WebSocketViewer viewer;
    private int refusalCode;
    private String refusalReason;
    private ScheduledExecutorService timer;
    private long closeTimeoutMillis;

    private WebConnection connection;
    private ServletInputStream in;
    private ServletOutputStream out;

    // writer state, guarded by this
    private final ArrayDeque<Write> queue = new ArrayDeque<>();
    /** Written but not yet flushed to the socket; completes in {@link #onWritePossible}. */
    private Write draining;
    /** The last answer of {@code out.isReady()}, valid until our next write or flush. */
    private boolean ready;

    private boolean closeQueued;
    private boolean closeReceived;
    private boolean terminated;

    // reader state: only the container's read callbacks touch it, one at a time
    private final byte[] readBuffer = new byte[MAX_CLIENT_FRAME];
    private int readLength;

    /** Open normally: results for {@code viewer} once the connection is up. */
    void serve(WebSocketViewer viewer, ScheduledExecutorService timer, long closeTimeoutMillis) {
        this.viewer = viewer;
        this.timer = timer;
        this.closeTimeoutMillis = closeTimeoutMillis;
    }

    /** Open only to close at once with {@code code} (API.md: an unknown poll closes with 4404). */
    void refuse(int code, String reason, ScheduledExecutorService timer, long closeTimeoutMillis) {
        this.refusalCode = code;
        this.refusalReason = reason;
        this.timer = timer;
        this.closeTimeoutMillis = closeTimeoutMillis;
    }

    @Override
    public void init(WebConnection webConnection) {
        try {
            synchronized (this) {
                connection = webConnection;
                in = webConnection.getInputStream();
                out = webConnection.getOutputStream();
                out.setWriteListener(this);
                in.setReadListener(this);
            }
        } catch (IOException | RuntimeException e) {
            terminate();
            return;
        }
        if (viewer == null) {
            close(refusalCode, refusalReason);
        } else {
            viewer.opened(this);
        }
    }

    /** Queues a results frame; the viewer hears back through {@code sent}. */
    void sendResults(byte[] frame) {
        enqueue(new Write(frame, Kind.RESULTS));
    }

    /** Queues a ping; the viewer hears back through {@code pinged}. */
    void sendPing() {
        enqueue(new Write(PING, Kind.PING));
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
        enqueue(new Write(closeFrame(code, reason), Kind.CLOSE));
    }

    /**
     * Ends the connection now, without a closing handshake: for a peer that stopped reading. Its socket
     * is closed too, since no event of such a peer would ever let the container release it.
     */
    void abort() {
        WebConnection upgraded;
        synchronized (this) {
            upgraded = connection;
        }
        terminate();
        if (upgraded != null) {
            TomcatSockets.closeNow(upgraded);
        }
    }

    private void enqueue(Write write) {
        List<Write> done;
        synchronized (this) {
            if (terminated) {
                done = null;
            } else {
                queue.add(write);
                done = pump();
            }
        }
        if (done == null) {
            completed(List.of(write), new IOException("connection closed"));
        } else {
            completed(done, null);
        }
    }

    @Override
    public void onWritePossible() {
        List<Write> done;
        synchronized (this) {
            if (terminated) {
                return;
            }
            done = pump();
        }
        completed(done, null);
    }

    /**
     * Writes queued frames while the socket takes them; returns the writes now complete. A write the
     * container could not flush at once stays {@link #draining} and completes on the next call.
     */
    private List<Write> pump() {
        List<Write> done = new ArrayList<>(2);
        try {
            if (draining != null) {
                if (!isReady()) {
                    return done;
                }
                out.flush();
                ready = false;
                if (!isReady()) {
                    return done;
                }
                done.add(draining);
                draining = null;
            }
            while (!queue.isEmpty() && isReady()) {
                Write next = queue.poll();
                out.write(next.bytes());
                ready = false;
                // the container buffers what it cannot send at once; flush only while it takes more
                if (isReady()) {
                    out.flush();
                    ready = false;
                }
                if (isReady()) {
                    done.add(next);
                } else {
                    draining = next;
                    return done;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the peer is gone: every write still pending fails with it
            List<Write> failed = new ArrayList<>(queue);
            if (draining != null) {
                failed.add(draining);
            }
            queue.clear();
            draining = null;
            terminated = true;
            closeQuietly();
            // reported outside this connection's lock: the viewer's callbacks come back here
            later(() -> completed(failed, e), 0);
            return done;
        }
        return done;
    }

    /**
     * {@link ServletOutputStream#isReady()}, asked again only after it said no or after our own
     * writes: nothing else changes the answer, and each call costs a lock in the container.
     */
    private boolean isReady() {
        if (!ready) {
            ready = out.isReady();
        }
        return ready;
    }

    private void completed(List<Write> writes, Throwable failure) {
        for (Write write : writes) {
            switch (write.kind()) {
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
                case CLOSE -> closeWritten();
                case CONTROL -> {
                    // a pong: nothing waits for it
                }
            }
        }
    }

    /** Our close frame is out: end now if the peer's close already came, else give it a little while. */
    private void closeWritten() {
        boolean end;
        synchronized (this) {
            end = closeReceived;
        }
        if (end) {
            terminate();
        } else {
            later(this::terminate, closeTimeoutMillis);
        }
    }

    private void later(Runnable action, long delayMillis) {
        try {
            timer.schedule(action, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // the application is stopping and closes every connection itself
        }
    }

    private void terminate() {
        synchronized (this) {
            if (terminated) {
                return;
            }
            terminated = true;
            queue.clear();
            draining = null;
            closeQuietly();
        }
        if (viewer != null) {
            viewer.released();
        }
    }

    /** Holding the lock. */
    private void closeQuietly() {
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
        while (in.isReady()) {
            int n = in.read(readBuffer, readLength, readBuffer.length - readLength);
            if (n < 0) {
                terminate();
                return;
            }
            readLength += n;
            if (!readFrames()) {
                return;
            }
        }
    }

    /** Handles every complete client frame in the buffer; returns false once the connection is ending. */
    private boolean readFrames() {
        int at = 0;
        while (readLength - at >= 2) {
            int b0 = readBuffer[at] & 0xFF;
            int b1 = readBuffer[at + 1] & 0xFF;
            if ((b1 & 0x80) == 0) {
                // RFC 6455 5.1: a client frame must be masked
                close(PROTOCOL_ERROR, "unmasked frame");
                return false;
            }
            long length = b1 & 0x7F;
            int header = 2;
            if (length == 126) {
                if (readLength - at < 4) {
                    break;
                }
                length = ((readBuffer[at + 2] & 0xFF) << 8) | (readBuffer[at + 3] & 0xFF);
                header = 4;
            } else if (length == 127) {
                // 8-byte lengths are for payloads no viewer sends
                close(MESSAGE_TOO_BIG, "frame too big");
                return false;
            }
            if (header + 4 + length > readBuffer.length) {
                close(MESSAGE_TOO_BIG, "frame too big");
                return false;
            }
            int frameLength = header + 4 + (int) length;
            if (readLength - at < frameLength) {
                break;
            }
            int opcode = b0 & 0x0F;
            if (opcode >= 0x8 && length > 125) {
                close(PROTOCOL_ERROR, "control frame too big");
                return false;
            }
            if (opcode >= 0x8) {
                byte[] payload = unmask(at + header, (int) length);
                if (!control(opcode, payload)) {
                    return false;
                }
            }
            at += frameLength;
        }
        System.arraycopy(readBuffer, at, readBuffer, 0, readLength - at);
        readLength -= at;
        return true;
    }

    private byte[] unmask(int maskAt, int length) {
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = (byte) (readBuffer[maskAt + 4 + i] ^ readBuffer[maskAt + (i & 3)]);
        }
        return payload;
    }

    /** Handles a control frame; returns false once the connection is ending. */
    private boolean control(int opcode, byte[] payload) {
        switch (opcode) {
            case 0x8 -> {
                boolean answered;
                synchronized (this) {
                    closeReceived = true;
                    answered = closeQueued;
                }
                if (answered) {
                    terminate();
                } else {
                    // echo the peer's status code, as RFC 6455 5.5.1 suggests
                    int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : NORMAL_CLOSURE;
                    if (!sendable(code)) {
                        code = NORMAL_CLOSURE;
                    }
                    if (viewer != null) {
                        viewer.closedByPeer();
                    }
                    close(code, "");
                }
                return false;
            }
            case 0x9 -> enqueue(new Write(ResultsFrame.unmaskedFrame(0xA, payload), Kind.CONTROL));
            default -> {
                // a pong (answer to our keep-alive): nothing to do
            }
        }
        return true;
    }

    @Override
    public void onAllDataRead() {
        terminate();
    }

    @Override
    public void onError(Throwable failure) {
        terminate();
    }

    @Override
    public void destroy() {
        terminate();
    }

    /**
     * Whether a close code may be sent back (RFC 6455 7.4): 1004-1006 and 1015 are reserved for
     * reporting and never go on the wire, and codes below 1000 or above 4999 are not defined.
     */
    static boolean sendable(int code) {
        return code >= 1000 && code <= 4999 && (code < 1004 || code > 1006) && code != 1015;
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
