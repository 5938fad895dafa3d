package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the packaged jar under a steady vote load: the web server drains first, then the
 * ingester, then the projector, and only then Redis and PostgreSQL, so no request that arrived before
 * the signal fails, and every vote answered 202 is counted once after the next start.
 */
class GracefulShutdownFaultIT {

    @TempDir
    Path workDir;

    @Test
    void sigtermUnderLoadFailsNoRequestAndStopsTheStoresLast() throws Exception {
        try (StandaloneProcess app = new StandaloneProcess(workDir)) {
            app.start();
            VoteLoad load = VoteLoad.start(app.baseUrl(), Duration.ofMillis(10));
            await().atMost(Duration.ofMinutes(2)).until(() -> load.acceptedCount() >= 300);

            long signal = System.nanoTime();
            int status = app.terminate();
            load.close();

            // 143 = 128 + SIGTERM: how a JVM reports a stop by that signal once its shutdown hooks ran
            assertThat(status).as("exit status after SIGTERM").isIn(0, 143);
            List<VoteLoad.Outcome> failedBeforeSignal = load.others().stream()
                    .filter(outcome -> outcome.sentNanos() < signal)
                    .toList();
            assertThat(failedBeforeSignal)
                    .as("requests sent before SIGTERM that did not get 202")
                    .isEmpty();
            assertThat(load.others()).as("5xx answers at any time").noneMatch(outcome -> outcome.status() >= 500);

            String log = app.log();
            assertInOrder(
                    log,
                    "Commencing graceful shutdown",
                    "Graceful shutdown complete",
                    "Bean 'voteStreamIngester' completed its stop procedure",
                    "Bean 'cdcEngineRunner' completed its stop procedure",
                    "Stopping embedded Redis",
                    "Embedded Redis stopped",
                    "Stopping embedded PostgreSQL",
                    "Embedded PostgreSQL stopped");
            String beforeRedisStopped = log.substring(0, log.indexOf("Stopping embedded Redis"));
            String afterSignal =
                    beforeRedisStopped.substring(beforeRedisStopped.indexOf("Commencing graceful shutdown"));
            assertThat(Pattern.compile("(?i)reconnect|connection refused")
                            .matcher(afterSignal)
                            .find())
                    .as("a client lost a store before the stores were stopped")
                    .isFalse();

            app.start();
            ExactCounts.assertEveryAcceptedVoteCountedOnce(app, load);
        }
    }

    private static void assertInOrder(String log, String... lines) {
        int from = 0;
        for (String line : lines) {
            int at = log.indexOf(line, from);
            assertThat(at).as("'" + line + "' after the lines before it").isNotNegative();
            from = at + line.length();
        }
    }
}
