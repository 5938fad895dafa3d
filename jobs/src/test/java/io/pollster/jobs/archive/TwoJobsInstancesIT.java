package io.pollster.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.core.redis.RedisKeys;
import io.pollster.jobs.JobsApplication;
import io.pollster.jobs.JobsIntegrationTestSupport;
import io.pollster.testing.TestServers;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Two jobs instances side by side (docs/design.md invariant 5): each poll closed once and archived once. */
class TwoJobsInstancesIT extends JobsIntegrationTestSupport {

    private static final int POLLS = 6;

    @Autowired
    private MeterRegistry meters;

    private ConfigurableApplicationContext second;

    @BeforeEach
    void startSecondInstance() {
        TestServers servers = TestServers.get();
        Map<String, Object> properties = new HashMap<>(sharedProperties());
        properties.put("spring.datasource.url", servers.jdbcUrl());
        properties.put("spring.datasource.username", servers.username());
        properties.put("spring.datasource.password", servers.password());
        properties.put("spring.data.redis.url", servers.redisUrl());
        properties.put("pollster.embedded.enabled", "false");
        second = new SpringApplicationBuilder(JobsApplication.class)
                .web(WebApplicationType.NONE)
                .properties(properties)
                .run();
    }

    @AfterEach
    void stopSecondInstance() {
        second.close();
    }

    @Test
    void twoInstancesCloseAndArchiveEachPollOnce() throws Exception {
        MeterRegistry secondMeters = second.getBean(MeterRegistry.class);
        double closedBefore = closed(meters) + closed(secondMeters);
        double archivedBefore = archived(meters) + archived(secondMeters);
        List<TestPoll> polls = new ArrayList<>();
        for (int i = 0; i < POLLS; i++) {
            TestPoll poll = createPoll(UUID.randomUUID(), secondsAhead(2), 1, 3);
            vote(poll, 10 + i);
            polls.add(poll);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> polls.stream().allMatch(p -> closedAt(p.pollId()) != null));
        // half announced by the projector (both instances read that group), half left to the sweeps
        for (TestPoll poll : polls.subList(0, POLLS / 2)) {
            xadd(
                    RedisKeys.archivalStream(poll.shard(shards)),
                    Map.of(
                            "poll_id", poll.pollId().toString(),
                            "event", "poll_closed",
                            "closed_at", closedAt(poll.pollId()).toString()));
        }
        await().atMost(Duration.ofSeconds(25))
                .until(() -> polls.stream().allMatch(p -> "archived".equals(archiveStatus(p.pollId()))));

        assertThat(closed(meters) + closed(secondMeters) - closedBefore)
                .as("closes counted by both instances together")
                .isEqualTo(POLLS);
        assertThat(archived(meters) + archived(secondMeters) - archivedBefore)
                .as("archives written by both instances together")
                .isEqualTo(POLLS);
        for (TestPoll poll : polls) {
            assertThat(jdbc.sql("SELECT attempts FROM poll_archives WHERE poll_id = ?")
                            .param(poll.pollId())
                            .query(Integer.class)
                            .single())
                    .isEqualTo(1);
            assertThat(ArchiveFiles.of(ARCHIVE_DIR, poll.pollId()).csvRows()).isEqualTo(responsesOf(poll.pollId()));
        }
    }

    private static double closed(MeterRegistry registry) {
        return registry.get("pollster.jobs.polls.closed").counter().count();
    }

    private static double archived(MeterRegistry registry) {
        return registry.get("pollster.jobs.polls.archived").counter().count();
    }

    private Instant closedAt(UUID pollId) {
        OffsetDateTime closedAt = jdbc.sql("SELECT closed_at FROM polls WHERE poll_id = ?")
                .param(pollId)
                .query((rs, n) -> rs.getObject("closed_at", OffsetDateTime.class))
                .list()
                .get(0);
        return closedAt == null ? null : closedAt.toInstant();
    }

    private String archiveStatus(UUID pollId) {
        return jdbc.sql("SELECT status FROM poll_archives WHERE poll_id = ?")
                .param(pollId)
                .query(String.class)
                .optional()
                .orElse(null);
    }
}
