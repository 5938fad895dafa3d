package io.pollster.live.fanout;

import io.pollster.core.results.ResultsMessage;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One results message, serialized once for every viewer of this node: the whole WebSocket text frame
 * (server frames are unmasked, so every connection sends the same bytes) and the SSE event bytes are
 * built here and the same arrays go to each connection.
 *
 * @param webSocket the complete WebSocket text frame (RFC 6455 header and UTF-8 payload)
 * @param receivedAtNanos when this node got the message ({@link System#nanoTime()}), for the fan-out
 *     latency
 */
public record ResultsFrame(
        UUID pollId, long version, boolean closed, byte[] webSocket, byte[] sse, long receivedAtNanos) {

    public static ResultsFrame of(ResultsMessage message, long receivedAtNanos) {
        String json = message.toJson();
        byte[] webSocket = textFrame(json.getBytes(StandardCharsets.UTF_8));
        byte[] sse = ("event: " + ResultsMessage.TYPE + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
        return new ResultsFrame(message.pollId(), message.version(), message.closed(), webSocket, sse, receivedAtNanos);
    }

    /** An unmasked, unfragmented WebSocket text frame carrying {@code payload}. */
    static byte[] textFrame(byte[] payload) {
        return unmaskedFrame(0x1, payload);
    }

    /**
     * An unmasked, unfragmented WebSocket frame (RFC 6455 section 5.2), as a server sends them: results,
     * and the connection's pongs and close frames.
     */
    public static byte[] unmaskedFrame(int opcode, byte[] payload) {
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        byte[] frame = new byte[header + length];
        frame[0] = (byte) (0x80 | opcode); // FIN + opcode
        if (length < 126) {
            frame[1] = (byte) length;
        } else if (length <= 0xFFFF) {
            frame[1] = 126;
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = 127;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, header, length);
        return frame;
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
