package io.pollster.live.fanout;

import io.pollster.core.results.ResultsMessage;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One results message, serialized once for every viewer of this node: the WebSocket text and the SSE
 * event bytes are built here and the same instances go to each connection.
 *
 * @param receivedAtNanos when this node got the message ({@link System#nanoTime()}), for the fan-out
 *     latency
 */
public record ResultsFrame(UUID pollId, long version, boolean closed, String json, byte[] sse, long receivedAtNanos) {

    public static ResultsFrame of(ResultsMessage message, long receivedAtNanos) {
        String json = message.toJson();
        byte[] sse = ("event: " + ResultsMessage.TYPE + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
        return new ResultsFrame(message.pollId(), message.version(), message.closed(), json, sse, receivedAtNanos);
    }

    /**
     * Whether a viewer who has {@code other} should get this one: a higher version, or the same version
     * now closed (closing changes no count). Never backwards, never a repeat.
     */
    public boolean supersedes(ResultsFrame other) {
        return other == null || version > other.version || (version == other.version && closed && !other.closed);
    }

    /** The newer of two frames (either may be null). */
    static ResultsFrame newer(ResultsFrame a, ResultsFrame b) {
        if (a == null) {
            return b;
        }
        return b != null && b.supersedes(a) ? b : a;
    }
}
