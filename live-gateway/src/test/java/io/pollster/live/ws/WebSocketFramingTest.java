package io.pollster.live.ws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WebSocketFramingTest {

    @Test
    void acceptKeyIsTheOneOfRfc6455sExample() {
        assertThat(ResultsWebSocketController.accept("dGhlIHNhbXBsZSBub25jZQ=="))
                .isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void closeFrameCarriesTheCodeBigEndianThenTheReason() {
        byte[] frame = WebSocketConnection.closeFrame(4404, "not-found");

        assertThat(frame[0] & 0xFF).as("FIN + close").isEqualTo(0x88);
        assertThat(frame[1]).as("unmasked, 2 + 9 bytes").isEqualTo((byte) 11);
        assertThat(((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF)).isEqualTo(4404);
        assertThat(new String(frame, 4, 9, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("not-found");
    }
}
