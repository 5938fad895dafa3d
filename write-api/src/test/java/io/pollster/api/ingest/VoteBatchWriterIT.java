package io.pollster.api.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pollster.core.events.VoteEvent;
import io.pollster.core.stream.RefusedEntryException;
import io.pollster.core.stream.StreamFailures;
import io.pollster.testing.PollFixtures;
import io.pollster.testing.PollsterIntegrationTest;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The ingester's transaction on real PostgreSQL: one response per chosen choice, one guard per (question,
 * voter), voters counted once per question and per poll, whatever the batches look like.
 */
@PollsterIntegrationTest
class VoteBatchWriterIT {

    @Autowired
    VoteBatchWriter writer;

    @Autowired
    JdbcClient jdbc;

    private PollFixtures.Poll poll;

    @BeforeEach
    void createPoll() {
        poll = PollFixtures.onTestServers()
                .create(PollFixtures.poll().questions(2).choices(4));
    }

    @Test
    void aVoteSplitAcrossTwoBatchesIsCountedWholeAndItsVoterOnce() {
        UUID user = UUID.randomUUID();
        UUID vote = UUID.randomUUID();

        VoteBatchWriter.Outcome first = writer.write(List.of(event(vote, user, 0, 0)));
        VoteBatchWriter.Outcome second = writer.write(List.of(event(vote, user, 0, 1), event(vote, user, 1, 2)));

        assertThat(first.inserted()).isEqualTo(1);
        assertThat(second.inserted()).isEqualTo(2);
        assertThat(second.rejected()).isZero();
        assertThat(choiceCount(0, 0)).isEqualTo(1);
        assertThat(choiceCount(0, 1)).isEqualTo(1);
        assertThat(choiceCount(1, 2)).isEqualTo(1);
        assertThat(questionVoters(0)).isEqualTo(1);
        assertThat(questionVoters(1)).isEqualTo(1);
        assertThat(pollVoters()).isEqualTo(1);
    }

    @Test
    void aReplayedBatchChangesNothingAndIsNoRejection() {
        UUID user = UUID.randomUUID();
        UUID vote = UUID.randomUUID();
        List<VoteEvent> batch = List.of(event(vote, user, 0, 0), event(vote, user, 0, 3), event(vote, user, 1, 1));

        writer.write(batch);
        VoteBatchWriter.Outcome replay = writer.write(batch);

        assertThat(replay.inserted()).isZero();
        assertThat(replay.rejected()).isZero();
        assertThat(replay.replayed()).isEqualTo(3);
        assertThat(responses()).isEqualTo(3);
        assertThat(choiceCount(0, 0) + choiceCount(0, 3) + choiceCount(1, 1)).isEqualTo(3);
        assertThat(questionVoters(0)).isEqualTo(1);
        assertThat(pollVoters()).isEqualTo(1);
        assertThat(rejections()).isZero();
    }

    @Test
    void twoVotesOfOneVoterOnAQuestionInOneBatchCountTheFirstOnly() {
        UUID user = UUID.randomUUID();
        UUID firstVote = UUID.randomUUID();
        UUID secondVote = UUID.randomUUID();

        VoteBatchWriter.Outcome outcome = writer.write(List.of(
                event(firstVote, user, 0, 0),
                event(secondVote, user, 0, 1),
                event(secondVote, user, 0, 2),
                event(firstVote, user, 0, 3)));

        assertThat(outcome.inserted()).isEqualTo(2);
        assertThat(outcome.rejected()).isEqualTo(2);
        assertThat(choiceCount(0, 0)).isEqualTo(1);
        assertThat(choiceCount(0, 1)).isZero();
        assertThat(choiceCount(0, 2)).isZero();
        assertThat(choiceCount(0, 3)).isEqualTo(1);
        assertThat(questionVoters(0)).isEqualTo(1);
        assertThat(pollVoters()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM vote_rejections WHERE vote_id = ?")
                        .param(secondVote)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void aLaterVoteWithOtherChoicesIsRejectedButItsNewQuestionsCount() {
        UUID user = UUID.randomUUID();
        writer.write(List.of(event(UUID.randomUUID(), user, 0, 0)));

        UUID later = UUID.randomUUID();
        VoteBatchWriter.Outcome outcome = writer.write(List.of(event(later, user, 0, 1), event(later, user, 1, 0)));

        assertThat(outcome.inserted()).isEqualTo(1);
        assertThat(outcome.rejected()).isEqualTo(1);
        assertThat(choiceCount(0, 1)).isZero();
        assertThat(choiceCount(1, 0)).isEqualTo(1);
        assertThat(questionVoters(0)).isEqualTo(1);
        assertThat(questionVoters(1)).isEqualTo(1);
        assertThat(pollVoters()).isEqualTo(1);
    }

    @Test
    void votersOfAPollAreCountedOncePerVoterAcrossVotesAndQuestions() {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();

        writer.write(List.of(event(UUID.randomUUID(), alice, 0, 0), event(UUID.randomUUID(), bob, 0, 1)));
        writer.write(List.of(event(UUID.randomUUID(), alice, 1, 0)));

        assertThat(questionVoters(0)).isEqualTo(2);
        assertThat(questionVoters(1)).isEqualTo(1);
        assertThat(pollVoters()).isEqualTo(2);
    }

    @Test
    void aBatchWithAVoteNamingAChoiceOutsideItsQuestionOrPollIsRefusedAndWritesNothing() {
        PollFixtures.Poll other = PollFixtures.onTestServers()
                .create(PollFixtures.poll().questions(2).choices(4));
        UUID user = UUID.randomUUID();
        UUID vote = UUID.randomUUID();
        VoteEvent good = event(vote, user, 0, 0);
        List<VoteEvent> bad = List.of(
                // a choice of the poll's other question
                new VoteEvent(vote, poll.pollId(), poll.questionId(0), poll.choiceId(1, 0), user, Instant.now()),
                // a question and choice of another poll
                new VoteEvent(vote, poll.pollId(), other.questionId(0), other.choiceId(0, 0), user, Instant.now()),
                // a choice that does not exist
                new VoteEvent(vote, poll.pollId(), poll.questionId(1), UUID.randomUUID(), user, Instant.now()),
                // a poll that does not exist
                new VoteEvent(vote, UUID.randomUUID(), poll.questionId(0), poll.choiceId(0, 1), user, Instant.now()));

        for (VoteEvent refused : bad) {
            assertThatThrownBy(() -> writer.write(List.of(good, refused)))
                    .isInstanceOf(RefusedEntryException.class)
                    .hasMessageContaining("choice " + refused.choiceId())
                    .satisfies(failure ->
                            assertThat(StreamFailures.classify(failure)).isEqualTo(StreamFailures.Kind.REFUSED));
        }
        assertThat(responses()).isZero();
        assertThat(scalar("SELECT count(*) FROM question_voters WHERE user_id = ?", user))
                .isZero();
        assertThat(choiceCount(0, 0)).isZero();
        assertThat(rejections()).isZero();

        // the good entry alone, as bisection leaves it, is written
        assertThat(writer.write(List.of(good)).inserted()).isEqualTo(1);
        assertThat(choiceCount(0, 0)).isEqualTo(1);
    }

    private VoteEvent event(UUID vote, UUID user, int question, int choice) {
        return new VoteEvent(
                vote, poll.pollId(), poll.questionId(question), poll.choiceId(question, choice), user, Instant.now());
    }

    private long responses() {
        return scalar("SELECT count(*) FROM responses WHERE poll_id = ?", poll.pollId());
    }

    private long rejections() {
        return scalar("SELECT count(*) FROM vote_rejections WHERE poll_id = ?", poll.pollId());
    }

    private long choiceCount(int question, int choice) {
        return scalar("SELECT count FROM choice_counts WHERE choice_id = ?", poll.choiceId(question, choice));
    }

    /** Counters the ingester creates when the fixture has no row: absent is 0. */
    private long questionVoters(int question) {
        return scalar(
                "SELECT coalesce(sum(voters), 0) FROM question_voter_counts WHERE question_id = ?",
                poll.questionId(question));
    }

    private long pollVoters() {
        return scalar("SELECT coalesce(sum(voters), 0) FROM poll_voter_counts WHERE poll_id = ?", poll.pollId());
    }

    private long scalar(String sql, UUID id) {
        return jdbc.sql(sql).param(id).query(Long.class).single();
    }
}
