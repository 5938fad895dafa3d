package io.pollster.live.fanout;

import io.pollster.core.json.PollsterJson;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

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
 * <p>A poll whose counts some viewers may not see yet ({@code after_vote}, {@code after_close}) has a
 * {@link #hidden} companion frame for them, built here once per message too: docs/api.md's hidden shape,
 * {@code {"type", "poll_id", "version", "closed", "total_votes", "results_hidden": true, "viewers"}} with no
 * {@code questions}, under the same ordering key. A closed message never has one: it carries the full
 * counts to everyone.
 *
 * @param countsHidden whether this is the hidden shape (no {@code questions})
 * @param totalVotes the message's {@code total_votes}, which the hidden shape keeps
 * @param json the UTF-8 JSON message without {@code "viewers"}
 * @param viewers the {@code "viewers"} figure spliced into {@code webSocket} and {@code sse}, or -1 for none
 * @param viewersGeneration which of the poll feed's viewer figures this frame carries (0 before any)
 * @param webSocket the complete WebSocket text frame (RFC 6455 header and UTF-8 payload)
 * @param hidden the same message in the hidden shape, for viewers who may not see counts yet; null when
 *     there is none (results always visible, a closed message, or this is the hidden shape)
 * @param receivedAtNanos when this node got the message ({@link System#nanoTime()}), for the fan-out
 *     latency
 */
public record ResultsFrame(
        UUID pollId,
        long version,
        boolean closed,
        boolean countsHidden,
        long totalVotes,
        byte[] json,
        long viewers,
        long viewersGeneration,
        byte[] webSocket,
        byte[] sse,
        ResultsFrame hidden,
        long receivedAtNanos) {

    private static final byte[] SSE_PREFIX =
            ("event: " + ResultsMessage.TYPE + "\ndata: ").getBytes(StandardCharsets.UTF_8);
    private static final byte[] SSE_SUFFIX = "\n\n".getBytes(StandardCharsets.UTF_8);

    /** The message as it came, with no {@code "viewers"} and no hidden shape yet. */
    public static ResultsFrame of(ResultsMessage message, long receivedAtNanos) {
        byte[] json = message.toJson().getBytes(StandardCharsets.UTF_8);
        return new ResultsFrame(
                message.pollId(),
                message.version(),
                message.closed(),
                false,
                message.totalVotes(),
                json,
                -1,
                0,
                textFrame(json),
                sse(json),
                null,
                receivedAtNanos);
    }

    /**
     * This message carrying {@code "viewers": viewers} as the last field, from generation {@code generation}
     * of the poll's figure, with a {@link #hidden} companion if {@code hideable} (and not closed); the same
     * frame if it is that already.
     */
    public ResultsFrame withViewers(long viewers, long generation, boolean hideable) {
        boolean withHidden = hideable && !closed && !countsHidden;
        if (generation == viewersGeneration && viewers == this.viewers && withHidden == (hidden != null)) {
            return this;
        }
        ResultsFrame hiddenShape = null;
        if (withHidden) {
            // core's hidden shape of these results, as a live message (its "type" first)
            ObjectNode message = PollsterJson.mapper().createObjectNode().put("type", ResultsMessage.TYPE);
            message.setAll((ObjectNode) PollsterJson.mapper()
                    .valueToTree(new Results(pollId, version, closed, totalVotes, List.of()).hidden()));
            byte[] hiddenJson = PollsterJson.mapper().writeValueAsBytes(message);
            byte[] payload = splice(hiddenJson, viewers);
            hiddenShape = new ResultsFrame(
                    pollId,
                    version,
                    closed,
                    true,
                    totalVotes,
                    hiddenJson,
                    viewers,
                    generation,
                    textFrame(payload),
                    sse(payload),
                    null,
                    receivedAtNanos);
        }
        byte[] payload = splice(json, viewers);
        return new ResultsFrame(
                pollId,
                version,
                closed,
                countsHidden,
                totalVotes,
                json,
                viewers,
                generation,
                textFrame(payload),
                sse(payload),
                hiddenShape,
                receivedAtNanos);
    }

    /** What a viewer gets: this frame, or its hidden shape for a viewer who may not see counts yet. */
    public ResultsFrame forViewer(boolean seesCounts) {
        return seesCounts || hidden == null ? this : hidden;
    }

    /** {@code json} with {@code ,"viewers":N} before its closing brace. */
    private static byte[] splice(byte[] json, long viewers) {
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
        return payload;
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
