package io.pollster.live.ws;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Client frames as RFC 6455 section 5.2 lays them out, well-formed or broken on purpose. */
public final class ClientFrames {

    private static final Random MASKS = new Random(6455);

    private ClientFrames() {}

    /** A masked frame with FIN set and no reserved bit. */
    public static byte[] frame(int opcode, byte[] payload) {
        return frame(true, 0, opcode, true, payload);
    }

    public static byte[] text(String text) {
        return frame(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] close(int code, String reason) {
        return frame(0x8, closePayload(code, reason.getBytes(StandardCharsets.UTF_8)));
    }

    public static byte[] closePayload(int code, byte[] reason) {
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(reason, 0, payload, 2, reason.length);
        return payload;
    }

    /** Any frame: {@code rsv} is the three reserved bits (0-7), the length in its shortest form. */
    public static byte[] frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int mask = masked ? 0x80 : 0;
        int length = payload.length;
        if (length < 126) {
            out.write(mask | length);
        } else if (length <= 0xFFFF) {
            out.write(mask | 126);
            out.write(length >>> 8);
            out.write(length);
        } else {
            out.write(mask | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) length >>> (8 * i)));
            }
        }
        byte[] key = new byte[4];
        MASKS.nextBytes(key);
        if (masked) {
            out.writeBytes(key);
        }
        for (int i = 0; i < length; i++) {
            out.write(masked ? payload[i] ^ key[i & 3] : payload[i]);
        }
        return out.toByteArray();
    }

    /** A masked header with an explicit length encoding, for lengths not in their shortest form. */
    public static byte[] header(int opcode, int lengthCode, byte[] extendedLength) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80 | opcode);
        out.write(0x80 | lengthCode);
        out.writeBytes(extendedLength);
        out.writeBytes(new byte[] {1, 2, 3, 4});
        return out.toByteArray();
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
