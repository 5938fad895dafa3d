package io.pollster.live.fanout;

import io.pollster.core.results.ResultsMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * One results message, serialized once for every viewer of this node: the whole WebSocket text frame
 * (server frames are unmasked, so every connection sends the same bytes) and the SSE event bytes are
 * built here and the same arrays go to each connection.
 *
 * <p>The {@code "viewers"} figure is spliced into the already-serialized JSON ({@link #withViewers}), once
 * per message per poll, never per connection. {@code viewersGeneration} orders two frames of one version
 * that differ only in that figure: equal versions carry equal counts, and the one with the newer figure
 * supersedes the other.
 *
 * @param json the UTF-8 JSON message without {@code "viewers"}, as it came from the projector
 * @param viewers the {@code "viewers"} figure spliced into {@code webSocket} and {@code sse}, or -1 for none
 * @param viewersGeneration which of the poll feed's viewer figures this frame carries (0 before any)
 * @param webSocket the complete WebSocket text frame (RFC 6455 header and UTF-8 payload)
 * @param receivedAtNanos when this node got the message ({@link System#nanoTime()}), for the fan-out
 *     latency
 */
public record ResultsFrame(
        UUID pollId,
        long version,
        boolean closed,
        byte[] json,
        long viewers,
        long viewersGeneration,
        byte[] webSocket,
        byte[] sse,
        long receivedAtNanos) {

    private static final byte[] SSE_PREFIX =
            ("event: " + ResultsMessage.TYPE + "\ndata: ").getBytes(StandardCharsets.UTF_8);
    private static final byte[] SSE_SUFFIX = "\n\n".getBytes(StandardCharsets.UTF_8);

    /** The message as it came, with no {@code "viewers"} yet. */
    public static ResultsFrame of(ResultsMessage message, long receivedAtNanos) {
        byte[] json = message.toJson().getBytes(StandardCharsets.UTF_8);
        return new ResultsFrame(
                message.pollId(),
                message.version(),
                message.closed(),
                json,
                -1,
                0,
                textFrame(json),
                sse(json),
                receivedAtNanos);
    }

    /**
     * This message carrying {@code "viewers": viewers} as the last field, from generation {@code generation}
     * of the poll's figure; the same frame if it carries that generation already.
     */
    public ResultsFrame withViewers(long viewers, long generation) {
        if (generation == viewersGeneration && viewers == this.viewers) {
            return this;
        }
        int end = json.length - 1;
        while (end > 0 && json[end] != '}') {
            end--;
        }
        if (end <= 0) {
            throw new IllegalStateException("not a JSON object: " + new String(json, StandardCharsets.UTF_8));
        }
        byte[] field = ((end > 1 ? "," : "") + "\"viewers\":" + viewers + "}").getBytes(StandardCharsets.US_ASCII);
        byte[] payload = Arrays.copyOf(json, end + field.length);
        System.arraycopy(field, 0, payload, end, field.length);
        return new ResultsFrame(
                pollId, version, closed, json, viewers, generation, textFrame(payload), sse(payload), receivedAtNanos);
    }

    private static byte[] sse(byte[] payload) {
        byte[] event = new byte[SSE_PREFIX.length + payload.length + SSE_SUFFIX.length];
        System.arraycopy(SSE_PREFIX, 0, event, 0, SSE_PREFIX.length);
        System.arraycopy(payload, 0, event, SSE_PREFIX.length, payload.length);
        System.arraycopy(SSE_SUFFIX, 0, event, SSE_PREFIX.length + payload.length, SSE_SUFFIX.length);
        return event;
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
     * now closed (closing changes no count), or the same message with a newer {@code "viewers"} figure.
     * Never backwards, never a repeat.
     */
    public boolean supersedes(ResultsFrame other) {
        if (other == null) {
            return true;
        }
        if (version != other.version) {
            return version > other.version;
        }
        if (closed != other.closed) {
            return closed;
        }
        return viewersGeneration > other.viewersGeneration;
    }

    /** The newer of two frames (either may be null). */
    static ResultsFrame newer(ResultsFrame a, ResultsFrame b) {
        if (a == null) {
            return b;
        }
        return b != null && b.supersedes(a) ? b : a;
    }
}
