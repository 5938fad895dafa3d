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

    @Test
    void onlyCloseCodesAllowedOnTheWireAreEchoed() {
        assertThat(WebSocketConnection.sendable(1000)).isTrue();
        assertThat(WebSocketConnection.sendable(1001)).isTrue();
        assertThat(WebSocketConnection.sendable(4404)).isTrue();
        assertThat(WebSocketConnection.sendable(1005))
                .as("no status received: reporting only")
                .isFalse();
        assertThat(WebSocketConnection.sendable(1006))
                .as("abnormal closure: reporting only")
                .isFalse();
        assertThat(WebSocketConnection.sendable(1015))
                .as("TLS failure: reporting only")
                .isFalse();
        assertThat(WebSocketConnection.sendable(999)).isFalse();
        assertThat(WebSocketConnection.sendable(5000)).isFalse();
    }
}
