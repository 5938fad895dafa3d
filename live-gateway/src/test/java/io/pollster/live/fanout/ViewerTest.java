package io.pollster.live.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsMessage;
import io.pollster.core.results.ResultsViewer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ViewerTest {

    private static final UUID POLL = UUID.randomUUID();

    private final FanoutMetrics metrics = new FanoutMetrics(new SimpleMeterRegistry());
    private final ManualViewer viewer = new ManualViewer(metrics);

    @Test
    void aSlowViewerGetsOnlyTheLatestPendingFrame() {
        viewer.offer(frame(1, false));
        viewer.offer(frame(2, false));
        viewer.offer(frame(3, false));
        viewer.offer(frame(4, false));

        viewer.completeWrite();
        viewer.completeWrite();

        assertThat(viewer.versions()).containsExactly(1L, 4L);
        assertThat(metrics.coalescedCount()).isEqualTo(2);
    }

    @Test
    void versionsNeverGoBackwards() {
        viewer.offer(frame(5, false));
        viewer.completeWrite();
        viewer.offer(frame(3, false));
        viewer.offer(frame(5, false));
        viewer.offer(frame(6, false));
        viewer.completeWrite();

        assertThat(viewer.versions()).containsExactly(5L, 6L);
    }

    @Test
    void theClosedMessageOfAnUnchangedVersionStillGoesOutAndEndsTheConnection() {
        viewer.offer(frame(7, false));
        viewer.completeWrite();
        viewer.offer(frame(7, true));
        viewer.completeWrite();

        assertThat(viewer.versions()).containsExactly(7L, 7L);
        assertThat(viewer.closedNormally).isTrue();
        assertThat(viewer.isClosed()).isTrue();
    }

    @Test
    void aFailedWriteDisconnectsTheViewer() {
        viewer.offer(frame(1, false));
        viewer.failWrite();
        viewer.offer(frame(2, false));

        assertThat(viewer.isClosed()).isTrue();
        assertThat(viewer.closedNormally).isFalse();
        assertThat(viewer.versions()).containsExactly(1L);
    }

    @Test
    void aHiddenViewerGetsTheHiddenShapeUntilRevealedThenTheSameMessageInFullWithoutReconnecting() {
        viewer.identify(ResultsViewer.anonymous(), false);
        viewer.offer(hideable(1, false));
        viewer.completeWrite();
        viewer.offer(hideable(2, false));
        viewer.completeWrite();

        viewer.reveal(hideable(2, false));
        viewer.completeWrite();
        viewer.offer(hideable(2, false));
        viewer.offer(hideable(3, false));
        viewer.completeWrite();

        assertThat(viewer.versions()).containsExactly(1L, 2L, 2L, 3L);
        assertThat(viewer.written.stream().map(ResultsFrame::countsHidden)).containsExactly(true, true, false, false);
        assertThat(viewer.isClosed()).isFalse();
    }

    @Test
    void theClosingMessageReachesAHiddenViewerInFull() {
        viewer.identify(ResultsViewer.anonymous(), false);
        viewer.offer(hideable(4, false));
        viewer.completeWrite();
        viewer.offer(hideable(4, true));
        viewer.completeWrite();

        assertThat(viewer.written.stream().map(ResultsFrame::countsHidden)).containsExactly(true, false);
        assertThat(viewer.closedNormally).isTrue();
    }

    private static ResultsFrame hideable(long version, boolean closed) {
        return frame(version, closed).withViewers(1, 0, true);
    }

    private static ResultsFrame frame(long version, boolean closed) {
        return ResultsFrame.of(
                ResultsMessage.of(new Results(POLL, version, closed, version, List.of())), System.nanoTime());
    }

    /** A transport whose writes complete when the test says so. */
    private static final class ManualViewer extends Viewer {

        private final List<ResultsFrame> written = new ArrayList<>();
        private Boolean closedNormally;

        ManualViewer(FanoutMetrics metrics) {
            super(metrics);
        }

        void completeWrite() {
            sent(null);
        }

        void failWrite() {
            sent(new java.io.IOException("peer gone"));
        }

        List<Long> versions() {
            return written.stream().map(ResultsFrame::version).toList();
        }

        @Override
        protected void transmit(ResultsFrame frame) {
            written.add(frame);
        }

        @Override
        protected void transmitPing() {
            pinged(null);
        }

        @Override
        protected void close(boolean normally) {
            closedNormally = normally;
        }
    }
}
