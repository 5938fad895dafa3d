package io.pollster.core.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.CoreTestServers;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import io.pollster.testing.PollFixtures;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

class ResultsReaderIT {

    private static StringRedisTemplate redis;
    private static JdbcClient jdbc;

    private CountsStore counts;
    private ResultsReader reader;
    private PollDefinition poll;

    @BeforeAll
    static void connect() {
        jdbc = CoreTestServers.jdbc();
        redis = CoreTestServers.redis();
    }

    @BeforeEach
    void createPollWithVotes() {
        counts = new CountsStore(redis);
        reader = new ResultsReader(counts, jdbc, Clock.systemUTC());
        UUID pollId = PollFixtures.onTestServers()
                .create(PollFixtures.poll()
                        .title("Best editor?")
                        .slugPrefix("best-editor-")
                        .questionText("Pick")
                        .choices(3)
                        .counts(new long[] {0, 10, 20}))
                .pollId();
        poll = new PollDefinitions(jdbc).findById(pollId).orElseThrow();
    }

    @Test
    void missingCountsAreRebuiltFromPostgresWithEveryChoice() {
        Results results = reader.read(poll);

        assertThat(results.totalVotes()).isEqualTo(30);
        assertThat(results.version()).isEqualTo(30);
        assertThat(results.questions().get(0).choices())
                .extracting(Results.ChoiceCount::count)
                .containsExactly(0L, 10L, 20L);
        assertThat(counts.read(poll.pollId())).hasSize(3);
    }

    @Test
    void aRebuildNeverLowersANewerCount() {
        UUID last = poll.questions().get(0).choices().get(2).choiceId();
        counts.keepGreater(poll.pollId(), Map.of(last, 25L));

        Results results = reader.read(poll);

        assertThat(results.questions().get(0).choices().get(2).count()).isEqualTo(25);
        assertThat(results.totalVotes()).isEqualTo(35);
    }

    @Test
    void keepGreaterIgnoresOlderValuesAndReplays() {
        UUID choice = poll.questions().get(0).choices().get(0).choiceId();
        counts.keepGreater(poll.pollId(), Map.of(choice, 7L));
        counts.keepGreater(poll.pollId(), Map.of(choice, 5L));
        Map<UUID, Long> merged = counts.keepGreater(poll.pollId(), Map.of(choice, 7L));

        assertThat(merged).containsEntry(choice, 7L);
    }

    @Test
    void sameCountsAfterRedisIsFlushed() {
        Results before = reader.read(poll);
        redis.delete(io.pollster.core.redis.RedisKeys.counts(poll.pollId()));

        assertThat(reader.read(poll)).isEqualTo(before);
    }

    @Test
    void pollIsFoundBySlugAndById() {
        assertThat(new PollDefinitions(jdbc).findByIdOrSlug(poll.slug())).contains(poll);
        assertThat(new PollDefinitions(jdbc).findByIdOrSlug(poll.pollId().toString()))
                .contains(poll);
        assertThat(new PollDefinitions(jdbc).findByIdOrSlug("no-such-poll")).isEmpty();
    }
}
