package io.pollster.live.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WritePumpTest {

    /**
     * A container's non-blocking stream as the Servlet API describes it: a write is always taken (the
     * container buffers it), and {@code isReady} says whether the socket took everything so far. With
     * {@code peerStopped}, the socket takes the next write into its buffer and then no more.
     */
    private static final class SocketStream extends ServletOutputStream {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        boolean peerStopped;
        boolean full;
        boolean broken;

        @Override
        public boolean isReady() {
            return !full;
        }

        @Override
        public void setWriteListener(WriteListener listener) {}

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (broken) {
                throw new IOException("connection reset");
            }
            written.write(bytes, offset, length);
            full = peerStopped;
        }

        String text() {
            return written.toString(StandardCharsets.US_ASCII);
        }
    }

    private final SocketStream out = new SocketStream();
    private final List<String> completions = new ArrayList<>();
    private final WritePump<String> pump =
            new WritePump<>(out, (kind, failure) -> completions.add(kind + (failure == null ? "" : " failed")));

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The peer reads everything: the container says so once. */
    private void peerReads() {
        out.peerStopped = false;
        out.full = false;
        pump.onWritePossible();
    }

    @Test
    void writesGoOutInOrderAndCompleteAtOnceWhileTheSocketTakesThem() {
        pump.send("results", bytes("[r1]"));
        pump.sendControl("pong", bytes("[p]"));
        pump.send("ping", bytes("[ping]"));

        assertThat(out.text()).isEqualTo("[r1][p][ping]");
        assertThat(completions).containsExactly("results", "pong", "ping");
        assertThat(pump.stalledSinceNanos()).as("idle").isZero();
    }

    @Test
    void aWriteTheSocketCannotTakeCompletesOnlyWhenItIsFlushed() {
        out.peerStopped = true;
        pump.send("results", bytes("[r1]"));

        assertThat(completions).isEmpty();
        assertThat(pump.stalledSinceNanos()).as("in flight").isNotZero();

        peerReads();

        assertThat(completions).containsExactly("results");
        assertThat(pump.stalledSinceNanos()).isZero();
    }

    @Test
    void aClientThatPingsAndNeverReadsGetsOnlyTheLatestPongAndHoldsTwoAtMost() {
        out.peerStopped = true;
        for (int i = 0; i < 100_000; i++) {
            pump.sendControl("pong " + i, bytes("[pong " + i + "]"));
        }

        assertThat(out.text())
                .as("the first went to the socket, the rest wait in one slot")
                .isEqualTo("[pong 0]");
        assertThat(pump.stalledSinceNanos())
                .as("a pong stuck in the socket is a write in flight")
                .isNotZero();

        peerReads();

        assertThat(out.text()).isEqualTo("[pong 0][pong 99999]");
        assertThat(completions).containsExactly("pong 0", "pong 99999");
    }

    @Test
    void controlWritesGoBeforeDataNotYetStarted() {
        out.peerStopped = true;
        pump.send("results 1", bytes("[r1]"));
        peerReads();
        out.peerStopped = true;
        pump.send("results 2", bytes("[r2]")); // in the socket's buffer, not flushed
        pump.sendControl("pong", bytes("[p]"));
        pump.sendLast("close", bytes("[c]"));

        peerReads();

        assertThat(out.text()).isEqualTo("[r1][r2][p][c]");
        assertThat(completions).containsExactly("results 1", "results 2", "pong", "close");
    }

    @Test
    void nothingIsAcceptedAfterTheLastWrite() {
        assertThat(pump.sendLast("close", bytes("[c]"))).isTrue();
        assertThat(pump.sendLast("close again", bytes("[c]"))).isFalse();

        pump.send("results", bytes("[r]"));
        pump.sendControl("pong", bytes("[p]"));

        assertThat(out.text()).isEqualTo("[c]");
        assertThat(completions).containsExactly("close", "results failed", "pong failed");
    }

    @Test
    void oneDataWriteAtATime() {
        out.peerStopped = true;
        pump.send("results 1", bytes("[r1]"));
        pump.send("results 2", bytes("[r2]"));

        assertThatThrownBy(() -> pump.send("results 3", bytes("[r3]"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBrokenSocketFailsEveryPendingWrite() {
        out.peerStopped = true;
        pump.send("results", bytes("[r]"));
        pump.sendControl("pong", bytes("[p]"));
        pump.sendLast("close", bytes("[c]"));
        out.broken = true;

        peerReads();

        assertThat(completions).containsExactly("results", "pong failed", "close failed");
        pump.send("later", bytes("[l]"));
        assertThat(completions).endsWith("later failed");
    }

    @Test
    void theContainersErrorFailsWhatIsPending() {
        out.peerStopped = true;
        pump.send("results", bytes("[r]"));

        pump.onError(new IOException("reset"));

        assertThat(completions).containsExactly("results failed");
        assertThat(pump.stalledSinceNanos()).isZero();
    }

    @Test
    void terminateDropsWhatIsPendingWithoutCompletions() {
        out.peerStopped = true;
        pump.send("results", bytes("[r]"));

        pump.terminate();
        peerReads();

        assertThat(completions).isEmpty();
        assertThat(pump.stalledSinceNanos()).isZero();
    }
}
