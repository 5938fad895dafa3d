package io.pollster.live.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ResultsFrameTest {

    @Test
    void textFrameUsesTheShortestLengthEncodingAndKeepsThePayload() {
        assertFrame(125, 2);
        assertFrame(126, 4);
        assertFrame(65_535, 4);
        assertFrame(65_536, 10);
    }

    private static void assertFrame(int length, int header) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'x');

        byte[] frame = ResultsFrame.textFrame(payload);

        assertThat(frame).hasSize(header + length);
        assertThat(frame[0] & 0xFF).as("FIN + text").isEqualTo(0x81);
        long encoded =
                switch (header) {
                    case 2 -> frame[1];
                    case 4 -> ((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF);
                    default -> {
                        long value = 0;
                        for (int i = 2; i < 10; i++) {
                            value = (value << 8) | (frame[i] & 0xFF);
                        }
                        yield value;
                    }
                };
        assertThat(encoded).isEqualTo(length);
        assertThat(frame[1] & 0x80).as("server frames are not masked").isZero();
        assertThat(Arrays.copyOfRange(frame, header, frame.length)).isEqualTo(payload);
    }
}
