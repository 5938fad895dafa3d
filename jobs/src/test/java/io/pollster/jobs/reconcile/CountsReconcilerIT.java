package io.pollster.jobs.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.results.CountsStore;
import io.pollster.jobs.JobsIntegrationTestSupport;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Redis counts that fell behind PostgreSQL are repaired, and the drift is published. */
class CountsReconcilerIT extends JobsIntegrationTestSupport {

    @Autowired
    private CountsStore counts;

    @Autowired
    private MeterRegistry meters;

    @Test
    void countsBehindPostgresAreRepairedAndTheDriftIsCounted() {
        TestPoll poll = createPoll(UUID.randomUUID(), null, 1, 2);
        vote(poll, 20); // 10 each
        UUID lagging = poll.choices().get(0).get(0);
        UUID current = poll.choices().get(0).get(1);
        double repairedBefore = repaired();
        // Redis lost three votes of the first choice (say a projection lost with a Redis crash)
        counts.keepGreater(poll.pollId(), Map.of(lagging, 7L, current, 10L));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> counts.read(poll.pollId()).get(lagging) == 10L);

        assertThat(counts.read(poll.pollId())).containsEntry(lagging, 10L).containsEntry(current, 10L);
        assertThat(repaired() - repairedBefore).isEqualTo(3);
    }

    @Test
    void closedPollsAreReconciledToo() {
        TestPoll poll = createPoll(UUID.randomUUID(), null, 1, 2);
        vote(poll, 8); // 4 each
        jdbc.sql("UPDATE polls SET closed_at = now() WHERE poll_id = ?")
                .param(poll.pollId())
                .update();
        UUID lagging = poll.choices().get(0).get(0);
        UUID current = poll.choices().get(0).get(1);
        double repairedBefore = repaired();
        // a closed poll gets no more votes: nothing but the reconciler would ever fix these counts
        counts.keepGreater(poll.pollId(), Map.of(lagging, 1L, current, 4L));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> counts.read(poll.pollId()).get(lagging) == 4L);

        assertThat(counts.read(poll.pollId())).containsEntry(lagging, 4L).containsEntry(current, 4L);
        assertThat(repaired() - repairedBefore).isEqualTo(3);
    }

    @Test
    void pollsAtEitherEndOfPostgresUuidOrderAreReconciled() {
        // PostgreSQL orders UUIDs as unsigned bytes, Java as signed longs: a first page starting at
        // Java's smallest UUID once skipped every poll whose id begins with 0-7
        for (String prefix : new String[] {"00", "7f", "80", "ff"}) {
            UUID pollId = UUID.fromString(prefix + UUID.randomUUID().toString().substring(2));
            TestPoll poll = createPoll(pollId, null, 1, 2);
            vote(poll, 2); // 1 each
            UUID lagging = poll.choices().get(0).get(0);
            counts.keepGreater(
                    poll.pollId(), Map.of(lagging, 0L, poll.choices().get(0).get(1), 1L));

            await().atMost(Duration.ofSeconds(10))
                    .alias("poll " + pollId)
                    .until(() -> counts.read(poll.pollId()).get(lagging) == 1L);
        }
    }

    @Test
    void aCountAheadOfTheSnapshotIsNeverLowered() {
        TestPoll poll = createPoll(UUID.randomUUID(), null, 1, 2);
        vote(poll, 4);
        UUID choice = poll.choices().get(0).get(0);
        // Redis already has votes PostgreSQL committed after the reconciler's snapshot
        counts.keepGreater(
                poll.pollId(), Map.of(choice, 50L, poll.choices().get(0).get(1), 2L));

        awaitRounds(3);

        assertThat(counts.read(poll.pollId())).containsEntry(choice, 50L);
        assertThat(meters.get("pollster.jobs.reconcile.drift").gauge().value())
                .as("Redis ahead of PostgreSQL is the projector being quick, not drift")
                .isZero();
    }

    @Test
    void aPollNotCachedInRedisIsLeftToTheReadPath() {
        TestPoll poll = createPoll(UUID.randomUUID(), null, 1, 2);
        vote(poll, 4);

        awaitRounds(3);

        assertThat(redis.hasKey(RedisKeys.counts(poll.pollId()))).isFalse();
    }

    private double repaired() {
        return meters.get("pollster.jobs.reconcile.repaired").counter().count();
    }

    /** Waits for a few reconciliation rounds (300 ms apart in the tests). */
    private void awaitRounds(int rounds) {
        double before = meters.get("pollster.jobs.reconcile.rounds").counter().count();
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        meters.get("pollster.jobs.reconcile.rounds").counter().count() >= before + rounds);
    }
}
