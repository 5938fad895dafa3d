package io.pollster.live.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsMessage;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PollFeedTest {

    private static final UUID POLL = UUID.randomUUID();

    private final FanoutMetrics metrics = new FanoutMetrics(new SimpleMeterRegistry());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void updatesFasterThanTheFrameIntervalAreMergedIntoTheLatest() {
        PollFeed feed = feed(Duration.ofSeconds(1));
        InstantViewer viewer = new InstantViewer(metrics);
        feed.add(viewer);

        for (long version = 1; version <= 100; version++) {
            feed.publish(frame(version, false));
        }
        feed.publish(frame(100, true));

        await().atMost(Duration.ofSeconds(5))
                .until(() -> viewer.last() != null && viewer.last().closed());
        // the first update goes out at once; the 99 that follow within the interval, and the close,
        // arrive together as the latest frame one interval later
        assertThat(viewer.versions()).containsExactly(1L, 100L);
    }

    @Test
    void withoutAnIntervalEveryUpdateIsSent() {
        PollFeed feed = feed(Duration.ZERO);
        InstantViewer viewer = new InstantViewer(metrics);
        feed.add(viewer);

        for (long version = 1; version <= 100; version++) {
            feed.publish(frame(version, false));
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> viewer.versions().size() == 100);
        assertThat(viewer.versions()).isSorted();
    }

    @Test
    void aNewViewerFigureResendsTheCurrentMessageWithItAndAnUnchangedOneSendsNothing() {
        PollFeed feed = feed(Duration.ZERO);
        InstantViewer viewer = new InstantViewer(metrics);
        feed.add(viewer);
        feed.publish(frame(3, false));
        await().atMost(Duration.ofSeconds(5)).until(() -> viewer.written.size() == 1);

        feed.viewers(7);
        await().atMost(Duration.ofSeconds(5)).until(() -> viewer.written.size() == 2);
        feed.viewers(7);
        feed.publish(frame(3, false));
        feed.publish(frame(4, false));
        await().atMost(Duration.ofSeconds(5)).until(() -> viewer.written.size() == 3);

        assertThat(viewer.versions()).containsExactly(3L, 3L, 4L);
        assertThat(viewer.written.stream().map(ResultsFrame::viewers)).containsExactly(1L, 7L, 7L);
        assertThat(json(viewer.written.get(1))).endsWith(",\"viewers\":7}");
        assertThat(json(viewer.last())).contains("\"version\":4").endsWith(",\"viewers\":7}");
    }

    private static String json(ResultsFrame frame) {
        String event = new String(frame.sse(), java.nio.charset.StandardCharsets.UTF_8);
        return event.substring("event: results\ndata: ".length(), event.length() - 2);
    }

    private PollFeed feed(Duration minFrameInterval) {
        PollDefinition poll = new PollDefinition(POLL, "p", UUID.randomUUID(), "t", null, null, null, null, List.of());
        // a direct executor: rounds run on the publishing thread or the timer, one at a time per stripe
        return new PollFeed(poll, 1, Runnable::run, timer, minFrameInterval, metrics);
    }

    private static ResultsFrame frame(long version, boolean closed) {
        return ResultsFrame.of(
                ResultsMessage.of(new Results(POLL, version, closed, version, List.of())), System.nanoTime());
    }

    /** A transport whose every write completes at once. */
    private static final class InstantViewer extends Viewer {

        private final List<ResultsFrame> written = new CopyOnWriteArrayList<>();

        InstantViewer(FanoutMetrics metrics) {
            super(metrics);
        }

        List<Long> versions() {
            return written.stream().map(ResultsFrame::version).toList();
        }

        ResultsFrame last() {
            return written.isEmpty() ? null : written.get(written.size() - 1);
        }

        @Override
        protected void transmit(ResultsFrame frame) {
            written.add(frame);
            sent(null);
        }

        @Override
        protected void transmitPing() {
            pinged(null);
        }

        @Override
        protected void close(boolean normally) {}
    }
}
