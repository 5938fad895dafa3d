package io.pollster.core.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.CoreTestServers;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import io.pollster.core.poll.ResultsVisibility;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.testing.PollFixtures;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The one visibility rule, on real PostgreSQL and Redis. */
class ResultsAccessIT {

    private static final Shards SHARDS = new Shards(8);

    private static StringRedisTemplate redis;
    private static JdbcClient jdbc;

    private final UUID creator = UUID.randomUUID();
    private final UUID voter = UUID.randomUUID();
    private final UUID stranger = UUID.randomUUID();
    private final ResultsAccess access = new ResultsAccess(redis, SHARDS, jdbc, Clock.systemUTC());

    @BeforeAll
    static void connect() {
        jdbc = CoreTestServers.jdbc();
        redis = CoreTestServers.redis();
    }

    @Test
    void alwaysIsVisibleToEveryone() {
        PollDefinition poll = poll(ResultsVisibility.ALWAYS);

        assertThat(access.maySee(poll, ResultsViewer.anonymous())).isTrue();
        assertThat(access.maySee(poll, ResultsViewer.user(stranger))).isTrue();
    }

    @Test
    void afterCloseIsHiddenFromAllButTheCreatorUntilClosed() {
        PollDefinition poll = poll(ResultsVisibility.AFTER_CLOSE);
        votedInRedis(poll, voter);

        assertThat(access.maySee(poll, ResultsViewer.user(creator))).isTrue();
        assertThat(access.maySee(poll, ResultsViewer.user(voter))).isFalse();
        assertThat(access.maySee(poll, ResultsViewer.anonymous())).isFalse();

        PollDefinition closed = poll.closed(Instant.now());
        assertThat(access.maySee(closed, ResultsViewer.anonymous())).isTrue();
        assertThat(access.maySee(closed, ResultsViewer.user(stranger))).isTrue();
    }

    @Test
    void aDeadlineInThePastClosesThePollForVisibility() {
        PollDefinition poll = poll(ResultsVisibility.AFTER_CLOSE);
        ResultsAccess later =
                new ResultsAccess(redis, SHARDS, jdbc, Clock.fixed(Instant.now().plusSeconds(7200), ZoneOffset.UTC));
        jdbc.sql("UPDATE polls SET closes_at = ? WHERE poll_id = ?")
                .params(OffsetDateTime.now(ZoneOffset.UTC).plusHours(1), poll.pollId())
                .update();
        PollDefinition withDeadline = definitions().findById(poll.pollId()).orElseThrow();

        assertThat(access.maySee(withDeadline, ResultsViewer.anonymous())).isFalse();
        assertThat(later.maySee(withDeadline, ResultsViewer.anonymous())).isTrue();
    }

    @Test
    void afterVoteShowsAVoterInRedissVoterSetOfAnyQuestion() {
        PollDefinition poll = poll(ResultsVisibility.AFTER_VOTE);
        assertThat(access.maySee(poll, ResultsViewer.user(voter))).isFalse();

        // the second question only: any question counts
        redis.opsForSet()
                .add(
                        RedisKeys.voters(
                                SHARDS.of(poll.pollId()),
                                poll.questions().get(1).questionId()),
                        voter.toString());

        assertThat(access.maySee(poll, ResultsViewer.user(voter))).isTrue();
        assertThat(access.maySee(poll, ResultsViewer.user(stranger))).isFalse();
        assertThat(access.maySee(poll, ResultsViewer.anonymous())).isFalse();
        assertThat(access.maySee(poll, ResultsViewer.user(creator))).isTrue();
        // an anonymous viewer is known by the voter id derived for the poll, not by a user
        assertThat(access.maySee(poll, new ResultsViewer(null, voter))).isTrue();
    }

    @Test
    void afterVoteFallsBackToPostgresWhenRedisLostTheVoterSets() {
        PollDefinition poll = poll(ResultsVisibility.AFTER_VOTE);
        PollDefinition.Question question = poll.questions().get(0);
        jdbc.sql(
                        """
                        INSERT INTO responses (response_id, poll_id, question_id, choice_id, user_id, vote_id, submitted_at)
                        VALUES (gen_random_uuid(), ?, ?, ?, ?, gen_random_uuid(), now())
                        """)
                .params(
                        poll.pollId(),
                        question.questionId(),
                        question.choices().get(0).choiceId(),
                        voter)
                .update();

        assertThat(redis.hasKey(RedisKeys.voters(SHARDS.of(poll.pollId()), question.questionId())))
                .isFalse();
        assertThat(access.maySee(poll, ResultsViewer.user(voter))).isTrue();
        assertThat(access.maySee(poll, ResultsViewer.user(stranger))).isFalse();
    }

    private void votedInRedis(PollDefinition poll, UUID who) {
        redis.opsForSet()
                .add(
                        RedisKeys.voters(
                                SHARDS.of(poll.pollId()),
                                poll.questions().get(0).questionId()),
                        who.toString());
    }

    private PollDefinition poll(ResultsVisibility visibility) {
        UUID pollId = PollFixtures.onTestServers()
                .create(PollFixtures.poll().creator(creator).questions(2).choices(2))
                .pollId();
        jdbc.sql("UPDATE polls SET results_visibility = ? WHERE poll_id = ?")
                .params(visibility.value(), pollId)
                .update();
        PollDefinition poll = definitions().findById(pollId).orElseThrow();
        assertThat(poll.resultsVisibility()).isEqualTo(visibility);
        return poll;
    }

    private static PollDefinitions definitions() {
        return new PollDefinitions(jdbc);
    }
}
