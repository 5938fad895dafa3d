package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole process tree of the packaged jar (the JVM, redis-server, the postmaster and its backends)
 * SIGKILLed at once under a steady vote load and started again, five times: nothing is lost or counted
 * twice, and after each start the votes the killed instance held are ingested at once. The claim
 * timeout is set far above any restart here, so only an instance that re-reads its own pending entries
 * under a stable consumer name can drain that fast; a new name would leave them waiting for the
 * timeout.
 */
class ProcessTreeKillFaultIT {

    private static final int KILLS = 5;
    private static final int VOTES_PER_ROUND = 100;
    private static final Duration CLAIM_IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** Far below the claim timeout: a drain that needs longer is stuck, and the failure says where. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(3);
    /** The default claim-idle-timeout: the drain must not wait that long. */
    private static final Duration DEFAULT_CLAIM_IDLE_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path workDir;

    @Test
    void killingTheWholeTreeFourTimesLosesAndDoublesNothingAndDrainsAtOnce() throws Exception {
        try (StandaloneProcess app = new StandaloneProcess(
                workDir, "--pollster.votes.claim-idle-timeout=" + CLAIM_IDLE_TIMEOUT.toSeconds() + "s")) {
            app.start();
            VoteLoad load = VoteLoad.start(app.baseUrl(), Duration.ofMillis(20));
            List<Long> drainMillis = new ArrayList<>();
            int acceptedBefore = 0;
            for (int kill = 1; kill <= KILLS; kill++) {
                int target = acceptedBefore + VOTES_PER_ROUND;
                await().atMost(Duration.ofMinutes(2)).until(() -> load.acceptedCount() >= target);

                app.killTree();
                Set<java.util.UUID> acceptedByKilled = load.accepted().keySet();
                acceptedBefore = acceptedByKilled.size();
                app.start();
                long up = System.nanoTime();

                try {
                    await().atMost(DRAIN_TIMEOUT)
                            .pollInterval(Duration.ofMillis(200))
                            .ignoreExceptions()
                            .until(() -> ExactCounts.recordedOf(app, load.pollId(), acceptedByKilled)
                                    == acceptedByKilled.size());
                } catch (ConditionTimeoutException notDrained) {
                    throw new AssertionError(
                            "after restart " + kill + ": "
                                    + ExactCounts.whereMissing(app, load.pollId(), acceptedByKilled) + "; see "
                                    + app.logFile(),
                            notDrained);
                }
                long drained = Duration.ofNanos(System.nanoTime() - up).toMillis();
                drainMillis.add(drained);
                assertThat(Duration.ofMillis(drained))
                        .as("drain after restart " + kill)
                        .isLessThan(DEFAULT_CLAIM_IDLE_TIMEOUT);
            }
            load.close();

            assertThat(load.others())
                    .as("answers other than 202 and 503")
                    .allMatch(o -> o.status() == 503 || o.status() == 0);
            ExactCounts.assertEveryAcceptedVoteCountedOnce(app, load);
            System.out.printf(
                    "process tree SIGKILLed %d times: %d votes accepted, %d not answered or 503;"
                            + " drain after each start (ms, from health UP): %s%n",
                    KILLS, load.acceptedCount(), load.others().size(), drainMillis);
        }
    }
}
