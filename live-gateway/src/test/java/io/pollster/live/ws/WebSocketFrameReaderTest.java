package io.pollster.live.ws;

import static io.pollster.live.ws.ClientFrames.close;
import static io.pollster.live.ws.ClientFrames.closePayload;
import static io.pollster.live.ws.ClientFrames.concat;
import static io.pollster.live.ws.ClientFrames.frame;
import static io.pollster.live.ws.ClientFrames.header;
import static io.pollster.live.ws.ClientFrames.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every rule of RFC 6455 the gateway enforces on client frames, each fed whole and one byte at a time
 * (a frame split anywhere must read the same).
 */
class WebSocketFrameReaderTest {

    private static final byte[] EMPTY = new byte[0];

    /** What the reader reported, one line per event. */
    private static final class Recorder implements WebSocketFrameReader.Handler {
        final List<String> events = new ArrayList<>();

        @Override
        public void ping(byte[] payload) {
            events.add("ping " + new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public void pong(byte[] payload) {
            events.add("pong " + new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public void closeReceived(int code, String reason) {
            events.add("close " + code + " " + reason);
        }

        @Override
        public void message(int opcode, int length) {
            events.add("message " + opcode + " " + length);
        }

        @Override
        public void fail(int code, String reason) {
            events.add("fail " + code);
        }
    }

    private static List<String> read(boolean byteByByte, byte[]... frames) {
        Recorder recorder = new Recorder();
        WebSocketFrameReader reader = new WebSocketFrameReader(recorder);
        byte[] bytes = concat(frames);
        if (byteByByte) {
            for (int i = 0; i < bytes.length && !reader.ended(); i++) {
                reader.read(bytes, i, 1);
            }
        } else {
            reader.read(bytes, 0, bytes.length);
        }
        return recorder.events;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void pingsPongsMessagesAndCloseAreReportedInOrder(boolean byteByByte) {
        assertThat(read(
                        byteByByte,
                        frame(0x9, utf8("hello")),
                        frame(0xA, EMPTY),
                        text("ça va? ☃ 𝄞"),
                        frame(0x2, new byte[300]),
                        close(1000, "bye")))
                .containsExactly("ping hello", "pong ", "message 1 16", "message 2 300", "close 1000 bye");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void nothingIsReadAfterTheClientsClose(boolean byteByByte) {
        assertThat(read(byteByByte, close(1001, ""), frame(0x9, EMPTY))).containsExactly("close 1001 ");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aCloseWithoutPayloadReportsNoStatus(boolean byteByByte) {
        assertThat(read(byteByByte, frame(0x8, EMPTY))).containsExactly("close 1005 ");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void anyReservedBitWithoutAnExtensionIs1002(int rsv) {
        assertThat(read(false, frame(true, rsv, 0x1, true, utf8("x")))).containsExactly("fail 1002");
        assertThat(read(false, frame(true, rsv, 0x9, true, EMPTY))).containsExactly("fail 1002");
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void unknownOpcodesAre1002(int opcode) {
        assertThat(read(false, frame(opcode, EMPTY))).containsExactly("fail 1002");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void unmaskedClientFramesAre1002(boolean byteByByte) {
        assertThat(read(byteByByte, frame(true, 0, 0x9, false, EMPTY))).containsExactly("fail 1002");
        assertThat(read(byteByByte, frame(true, 0, 0x1, false, utf8("hi")))).containsExactly("fail 1002");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x8, 0x9, 0xA})
    void fragmentedControlFramesAre1002(int opcode) {
        assertThat(read(false, frame(false, 0, opcode, true, EMPTY))).containsExactly("fail 1002");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x8, 0x9, 0xA})
    void controlFramesOver125BytesAre1002(int opcode) {
        assertThat(read(false, frame(opcode, closePayload(1000, utf8("a".repeat(124))))))
                .containsExactly("fail 1002");
        assertThat(read(false, frame(opcode, closePayload(1000, utf8("a".repeat(123))))))
                .hasSize(1)
                .doesNotContain("fail 1002");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aOneByteClosePayloadIs1002(boolean byteByByte) {
        assertThat(read(byteByByte, frame(0x8, new byte[] {3}))).containsExactly("fail 1002");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    void closeCodesAClientMayNotSendAre1002(int code) {
        assertThat(read(false, close(code, ""))).containsExactly("fail 1002");
    }

    @ParameterizedTest
    @ValueSource(
            ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
    void closeCodesAClientMaySendAreAccepted(int code) {
        assertThat(read(false, close(code, "ok"))).containsExactly("close " + code + " ok");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ff", "c0af", "eda080", "f4908080", "ce"})
    void aCloseReasonThatIsNotUtf8Is1007(String reason) {
        assertThat(read(false, frame(0x8, closePayload(1000, hex(reason))))).containsExactly("fail 1007");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ff", // never in UTF-8
                "c0af", // overlong '/'
                "e080af", // overlong, three bytes
                "eda080", // a UTF-16 surrogate
                "f4908080", // past U+10FFFF
                "ce", // cut short at the end of the message
                "80", // a lone continuation byte
                "cebae1bdb9cf83cebcceb5eda080656469746564" // valid text, then a surrogate
            })
    void textThatIsNotUtf8Is1007(String bytes) {
        assertThat(read(false, frame(0x1, hex(bytes)))).containsExactly("fail 1007");
        assertThat(read(true, frame(0x1, hex(bytes)))).containsExactly("fail 1007");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void utf8SplitAcrossFragmentsIsValid(boolean byteByByte) {
        byte[] snowman = utf8("☃"); // e2 98 83
        byte[] clef = utf8("𝄞"); // f0 9d 84 9e
        assertThat(read(
                        byteByByte,
                        frame(false, 0, 0x1, true, new byte[] {snowman[0]}),
                        frame(false, 0, 0x0, true, new byte[] {snowman[1]}),
                        frame(0x9, EMPTY), // a control frame may come between fragments
                        frame(false, 0, 0x0, true, new byte[] {snowman[2], clef[0], clef[1]}),
                        frame(true, 0, 0x0, true, new byte[] {clef[2], clef[3]})))
                .containsExactly("ping ", "message 1 7");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void invalidUtf8SplitAcrossFragmentsIs1007AtTheFirstImpossibleByte(boolean byteByByte) {
        // f4 90 is already past U+10FFFF: fail there, before the message is finished
        assertThat(read(
                        byteByByte,
                        frame(false, 0, 0x1, true, hex("f4")),
                        frame(false, 0, 0x0, true, hex("90")),
                        frame(0x9, EMPTY)))
                .containsExactly("fail 1007");
        // a sequence left unfinished by the last fragment
        assertThat(read(byteByByte, frame(false, 0, 0x1, true, hex("41e298")), frame(true, 0, 0x0, true, EMPTY)))
                .containsExactly("fail 1007");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void binaryMessagesAreNotCheckedAsText(boolean byteByByte) {
        assertThat(read(byteByByte, frame(0x2, hex("ffc0eda080")))).containsExactly("message 2 5");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0})
    void aContinuationWithoutAMessageIs1002(int opcode) {
        assertThat(read(false, frame(true, 0, opcode, true, utf8("x")))).containsExactly("fail 1002");
        assertThat(read(false, text("done"), frame(true, 0, opcode, true, utf8("x"))))
                .containsExactly("message 1 4", "fail 1002");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x1, 0x2})
    void aNewDataFrameInsideAFragmentedMessageIs1002(int opcode) {
        assertThat(read(false, frame(false, 0, 0x1, true, utf8("a")), frame(true, 0, opcode, true, utf8("b"))))
                .containsExactly("fail 1002");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aMessageOf4KiBIsReadAndOneByteMoreIs1009(boolean byteByByte) {
        assertThat(read(byteByByte, frame(0x2, new byte[4096]))).containsExactly("message 2 4096");
        assertThat(read(byteByByte, frame(0x2, new byte[4097]))).containsExactly("fail 1009");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void fragmentsAddingUpToMoreThan4KiBAre1009(boolean byteByByte) {
        assertThat(read(
                        byteByByte,
                        frame(false, 0, 0x2, true, new byte[3000]),
                        frame(true, 0, 0x0, true, new byte[1097])))
                .containsExactly("fail 1009");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aHugeLengthIs1009FromTheHeaderAlone(boolean byteByByte) {
        // 2^40 bytes announced, none sent: failed without waiting for (or buffering) the payload
        assertThat(read(byteByByte, header(0x2, 127, hex("0000010000000000")))).containsExactly("fail 1009");
        assertThat(read(byteByByte, header(0x2, 126, hex("ffff")))).containsExactly("fail 1009");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aLengthWithItsTopBitSetIs1002(boolean byteByByte) {
        assertThat(read(byteByByte, header(0x2, 127, hex("8000000000000001")))).containsExactly("fail 1002");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aLengthNotInItsShortestFormIs1002(boolean byteByByte) {
        assertThat(read(byteByByte, header(0x2, 126, hex("007d")))).containsExactly("fail 1002");
        assertThat(read(byteByByte, header(0x2, 127, hex("000000000000ffff")))).containsExactly("fail 1002");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aFloodOfPingsIsReadFrameByFrame(boolean byteByByte) {
        byte[][] pings = new byte[1000][];
        for (int i = 0; i < pings.length; i++) {
            pings[i] = frame(0x9, utf8(Integer.toString(i)));
        }
        List<String> events = read(byteByByte, pings);
        assertThat(events).hasSize(1000).startsWith("ping 0").endsWith("ping 999");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomBytesNeverThrowAndEndAtMostOnce(long seed) {
        Random random = new Random(seed);
        for (int run = 0; run < 2_000; run++) {
            byte[] bytes = new byte[random.nextInt(9_000)];
            random.nextBytes(bytes);
            if (random.nextBoolean() && bytes.length > 1) {
                // a plausible start makes the fuzz reach past the first header more often
                bytes[0] = (byte) (random.nextBoolean() ? 0x81 : 0x89);
                bytes[1] = (byte) (0x80 | random.nextInt(126));
            }
            Recorder recorder = new Recorder();
            WebSocketFrameReader reader = new WebSocketFrameReader(recorder);
            int at = 0;
            while (at < bytes.length) {
                int n = Math.min(bytes.length - at, 1 + random.nextInt(600));
                reader.read(bytes, at, n);
                at += n;
            }
            long endings = recorder.events.stream()
                    .filter(event -> event.startsWith("fail") || event.startsWith("close"))
                    .count();
            assertThat(endings).isLessThanOrEqualTo(1);
            assertThat(reader.ended()).isEqualTo(endings == 1);
            recorder.events.stream().filter(event -> event.startsWith("fail")).forEach(event -> assertThat(event)
                    .isIn("fail 1002", "fail 1007", "fail 1009"));
        }
    }
}
