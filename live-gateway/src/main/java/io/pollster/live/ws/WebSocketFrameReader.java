package io.pollster.live.ws;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the frames a client sends (RFC 6455 section 5) and fails the connection on the first one that
 * breaks the protocol, with the status code section 7.4.1 gives. Nothing is negotiated (no extension, no
 * subprotocol), so every rule is the base protocol's:
 *
 * <ul>
 *   <li>1002 protocol error: a reserved bit set (5.2: no extension defines it), an unknown opcode, an
 *       unmasked frame (5.1), a fragmented control frame or one over 125 bytes (5.5), a close payload of one
 *       byte or with a code that may not be sent (5.5.1, 7.4), a continuation frame with no message to
 *       continue or a new data frame inside a fragmented message (5.4), a length not in its shortest form or
 *       with the most significant bit set (5.2);
 *   <li>1007 invalid payload: text (checked as it arrives, across fragments, so a message fails at its first
 *       impossible byte) or a close reason that is not UTF-8 (5.6, 8.1);
 *   <li>1009 message too big: a message over {@link #MAX_MESSAGE} bytes, whole or summed over its
 *       fragments. Viewers send nothing but control frames, so this is plenty.
 * </ul>
 *
 * Memory is bounded whatever arrives: one buffer of the largest frame allowed, and nothing is kept of a
 * data message but how long it is so far and at most three bytes of an unfinished UTF-8 sequence. After a
 * close frame, or once failed, everything else is ignored. Not thread-safe: the container delivers a
 * connection's reads one at a time.
 */
final class WebSocketFrameReader {

    /** The largest message (text or binary, all fragments together) a client may send. */
    static final int MAX_MESSAGE = 4096;

    static final int PROTOCOL_ERROR = 1002;
    static final int INVALID_PAYLOAD = 1007;
    static final int MESSAGE_TOO_BIG = 1009;
    /** What a close frame without a status code reports (7.1.5); never sent. */
    static final int NO_STATUS = 1005;

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** 2 header bytes, 8 of extended length, 4 of mask: the most a header takes. */
    private static final int MAX_HEADER = 14;

    /** What the reader found; each call is made on the reading thread. */
    interface Handler {

        void ping(byte[] payload);

        void pong(byte[] payload);

        /** The client's close: {@link #NO_STATUS} if it carried no code. Nothing is read after it. */
        void closeReceived(int code, String reason);

        /** A complete, valid data message (viewers send none that mean anything). */
        void message(int opcode, int length);

        /** The client broke the protocol: close with {@code code}. Nothing is read after it. */
        void fail(int code, String reason);
    }

    private final Handler handler;
    private final byte[] buffer = new byte[MAX_HEADER + MAX_MESSAGE];
    private int buffered;

    /** Opcode of the fragmented message in progress, or -1. */
    private int messageOpcode = -1;

    private int messageLength;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    /** The decoded characters go nowhere: only whether the bytes are UTF-8 matters. */
    private final CharBuffer decoded = CharBuffer.allocate(MAX_MESSAGE + 4);
    /** The last bytes of a text fragment that begin a UTF-8 sequence the next fragment finishes. */
    private byte[] unfinished = new byte[0];

    private boolean ended;

    WebSocketFrameReader(Handler handler) {
        this.handler = handler;
    }

    /** Whether a close frame was read or the connection failed: what follows is not read. */
    boolean ended() {
        return ended;
    }

    /** Reads {@code length} bytes the client sent; returns false once {@link #ended()}. */
    boolean read(byte[] bytes, int offset, int length) {
        int at = offset;
        int end = offset + length;
        while (!ended && at < end) {
            int n = Math.min(end - at, buffer.length - buffered);
            System.arraycopy(bytes, at, buffer, buffered, n);
            buffered += n;
            at += n;
            frames();
        }
        return !ended;
    }

    /** Handles every complete frame in the buffer, then keeps the rest for the next read. */
    private void frames() {
        int at = 0;
        while (!ended) {
            int frame = frame(at);
            if (frame == 0) {
                break;
            }
            at += frame;
        }
        if (!ended) {
            System.arraycopy(buffer, at, buffer, 0, buffered - at);
            buffered -= at;
        }
    }

    /**
     * Handles the frame at {@code at} if it is complete; returns its length, or 0 if more bytes are needed
     * (or the connection ended). A header is checked as soon as its bytes are in, before its payload.
     */
    private int frame(int at) {
        int available = buffered - at;
        if (available < 2) {
            return 0;
        }
        int b0 = buffer[at] & 0xFF;
        int b1 = buffer[at + 1] & 0xFF;
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        boolean control = (opcode & 0x8) != 0;
        if ((b0 & 0x70) != 0) {
            return fail(PROTOCOL_ERROR, "reserved bits set without an extension");
        }
        if (opcode != CONTINUATION
                && opcode != TEXT
                && opcode != BINARY
                && opcode != CLOSE
                && opcode != PING
                && opcode != PONG) {
            return fail(PROTOCOL_ERROR, "unknown opcode " + opcode);
        }
        if ((b1 & 0x80) == 0) {
            return fail(PROTOCOL_ERROR, "unmasked client frame");
        }
        int length7 = b1 & 0x7F;
        if (control && !fin) {
            return fail(PROTOCOL_ERROR, "fragmented control frame");
        }
        if (control && length7 > 125) {
            return fail(PROTOCOL_ERROR, "control frame over 125 bytes");
        }
        if (opcode == CONTINUATION && messageOpcode < 0) {
            return fail(PROTOCOL_ERROR, "continuation frame without a message");
        }
        if ((opcode == TEXT || opcode == BINARY) && messageOpcode >= 0) {
            return fail(PROTOCOL_ERROR, "new message inside a fragmented one");
        }
        int header;
        long length;
        if (length7 == 126) {
            if (available < 4) {
                return 0;
            }
            length = ((buffer[at + 2] & 0xFF) << 8) | (buffer[at + 3] & 0xFF);
            header = 4;
            if (length < 126) {
                return fail(PROTOCOL_ERROR, "length not in its shortest form");
            }
        } else if (length7 == 127) {
            if (available < 10) {
                return 0;
            }
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | (buffer[at + 2 + i] & 0xFF);
            }
            header = 10;
            if (length < 0) {
                return fail(PROTOCOL_ERROR, "length with its most significant bit set");
            }
            if (length <= 0xFFFF) {
                return fail(PROTOCOL_ERROR, "length not in its shortest form");
            }
        } else {
            length = length7;
            header = 2;
        }
        if (!control && messageLength + length > MAX_MESSAGE) {
            return fail(MESSAGE_TOO_BIG, "message over " + MAX_MESSAGE + " bytes");
        }
        int frameLength = header + 4 + (int) length;
        if (available < frameLength) {
            return 0;
        }
        int maskAt = at + header;
        if (control) {
            control(opcode, unmask(maskAt, (int) length));
        } else {
            data(opcode, fin, maskAt, (int) length);
        }
        return ended ? 0 : frameLength;
    }

    private void control(int opcode, byte[] payload) {
        switch (opcode) {
            case PING -> handler.ping(payload);
            case PONG -> handler.pong(payload);
            default -> closeFrame(payload);
        }
    }

    private void closeFrame(byte[] payload) {
        if (payload.length == 0) {
            end();
            handler.closeReceived(NO_STATUS, "");
            return;
        }
        if (payload.length == 1) {
            fail(PROTOCOL_ERROR, "close payload of one byte");
            return;
        }
        int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        if (!validCloseCode(code)) {
            fail(PROTOCOL_ERROR, "invalid close code " + code);
            return;
        }
        String reason;
        try {
            reason = freshDecoder()
                    .decode(ByteBuffer.wrap(payload, 2, payload.length - 2))
                    .toString();
        } catch (CharacterCodingException e) {
            fail(INVALID_PAYLOAD, "close reason not UTF-8");
            return;
        }
        end();
        handler.closeReceived(code, reason);
    }

    private void data(int opcode, boolean fin, int maskAt, int length) {
        if (opcode != CONTINUATION) {
            messageOpcode = opcode;
            messageLength = 0;
            unfinished = new byte[0];
            utf8.reset();
        }
        messageLength += length;
        if (messageOpcode == TEXT && !utf8(unmask(maskAt, length), fin)) {
            fail(INVALID_PAYLOAD, "text not UTF-8");
            return;
        }
        if (fin) {
            int done = messageOpcode;
            int total = messageLength;
            messageOpcode = -1;
            messageLength = 0;
            handler.message(done, total);
        }
    }

    /**
     * Whether the text so far is UTF-8: the JDK's decoder reports a sequence as malformed as soon as its
     * first bytes rule it out (an overlong form, a surrogate, past U+10FFFF), not only at its end, and
     * leaves the bytes of a sequence still unfinished unread; they are kept for the next fragment.
     */
    private boolean utf8(byte[] payload, boolean last) {
        byte[] bytes = payload;
        if (unfinished.length > 0) {
            bytes = Arrays.copyOf(unfinished, unfinished.length + payload.length);
            System.arraycopy(payload, 0, bytes, unfinished.length, payload.length);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        decoded.clear();
        CoderResult result = utf8.decode(in, decoded, last);
        if (result.isError()) {
            return false;
        }
        if (last) {
            decoded.clear();
            return !utf8.flush(decoded).isError() && !in.hasRemaining();
        }
        unfinished = Arrays.copyOfRange(bytes, in.position(), bytes.length);
        return true;
    }

    private byte[] unmask(int maskAt, int length) {
        byte[] payload = new byte[length];
        int dataAt = maskAt + 4;
        for (int i = 0; i < length; i++) {
            payload[i] = (byte) (buffer[dataAt + i] ^ buffer[maskAt + (i & 3)]);
        }
        return payload;
    }

    private int fail(int code, String reason) {
        end();
        handler.fail(code, reason);
        return 0;
    }

    private void end() {
        ended = true;
        buffered = 0;
    }

    private static CharsetDecoder freshDecoder() {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /**
     * Whether a client may send {@code code} in a close frame (RFC 6455 7.4.1 and 7.4.2, with the codes IANA
     * registered since: 1012-1014): 1004-1006 and 1015 are reserved for reporting or undefined, 1016-2999
     * are for future versions of the protocol, 3000-4999 for libraries and applications.
     */
    static boolean validCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }
}
