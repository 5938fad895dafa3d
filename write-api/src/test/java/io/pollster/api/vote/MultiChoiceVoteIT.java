package io.pollster.api.vote;

import static io.pollster.api.vote.VoteApiIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.testing.PollsterIntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Multi-choice questions (docs/api.md "Votes"): a question appears once per chosen choice, between its
 * min_choices and max_choices; one response row per choice; voters counted per question and per poll;
 * a voter still answers a question once, even when Redis has lost its voter sets.
 */
@PollsterIntegrationTest
class MultiChoiceVoteIT {

    private static final Duration RECORDED = Duration.ofSeconds(30);

    /** Question 0: pick 2 or 3 of 4. Question 1: single choice of 2. */
    private static final String POLL =
            """
            {"title": "Toppings",
             "questions": [{"text": "Which?", "choices": ["a", "b", "c", "d"], "min_choices": 2, "max_choices": 3},
                           {"text": "Size?", "choices": ["small", "large"]}]}
            """;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Shards shards;

    private VoteHttp http;
    private PollDefinition poll;

    @BeforeEach
    void createPoll() {
        http = new VoteHttp(port);
        VoteHttp.Answer created = http.post("/api/polls", UUID.randomUUID().toString(), null, "application/json", POLL);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        poll = new PollDefinitions(jdbc)
                .findById(UUID.fromString(created.text("poll_id")))
                .orElseThrow();
    }

    @Test
    void aMultiChoiceVoteIsOneResponsePerChoiceAndOneVoterPerQuestionAndPoll() {
        UUID user = UUID.randomUUID();
        VoteHttp.Answer answer = http.vote(poll.pollId(), user, null, List.of(pick(0, 0), pick(0, 2), pick(1, 1)));

        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        awaitRecorded(answer.text("vote_id"));
        assertThat(responses(user)).isEqualTo(3);
        assertThat(choiceCount(0, 0)).isEqualTo(1);
        assertThat(choiceCount(0, 1)).isZero();
        assertThat(choiceCount(0, 2)).isEqualTo(1);
        assertThat(choiceCount(1, 1)).isEqualTo(1);
        assertThat(questionVoters(0)).isEqualTo(1);
        assertThat(questionVoters(1)).isEqualTo(1);
        assertThat(pollVoters()).isEqualTo(1);

        VoteHttp.Answer second =
                http.vote(poll.pollId(), UUID.randomUUID(), null, List.of(pick(0, 0), pick(0, 1), pick(0, 3)));
        assertThat(second.status()).as(second.body()).isEqualTo(202);
        awaitRecorded(second.text("vote_id"));
        assertThat(questionVoters(0)).isEqualTo(2);
        assertThat(questionVoters(1)).isEqualTo(1);
        assertThat(pollVoters()).isEqualTo(2);

        // what Redis has is rebuilt from PostgreSQL: no projector runs in write-api's tests
        redis.delete(RedisKeys.counts(poll.pollId()));
        JsonNode results = http.get("/api/polls/" + poll.pollId() + "/results").json();
        assertThat(results.get("total_votes").asLong()).isEqualTo(2);
        assertThat(results.get("version").asLong()).isEqualTo(6);
        JsonNode first = results.get("questions").get(0);
        assertThat(first.get("total").asLong()).isEqualTo(2);
        assertThat(first.get("choices").valueStream().map(c -> c.get("count").asLong()))
                .containsExactly(2L, 1L, 1L, 1L);
        assertThat(results.get("questions").get(1).get("total").asLong()).isEqualTo(1);
        assertThat(results.has("results_hidden")).isFalse();
    }

    @Test
    void everyRefusalOfTheVotesTableIs400AndWritesNothing() {
        UUID user = UUID.randomUUID();

        VoteHttp.Answer singleTwice =
                http.vote(poll.pollId(), user, null, List.of(pick(0, 0), pick(0, 1), pick(1, 0), pick(1, 1)));
        assertProblem(singleTwice, 400, "validation");
        assertThat(fields(singleTwice)).containsExactly("answers[3].question_id");

        VoteHttp.Answer choiceTwice = http.vote(poll.pollId(), user, null, List.of(pick(0, 0), pick(0, 0), pick(0, 1)));
        assertProblem(choiceTwice, 400, "validation");
        assertThat(fields(choiceTwice)).containsExactly("answers[1].choice_id");

        VoteHttp.Answer tooFew = http.vote(poll.pollId(), user, null, List.of(pick(0, 0), pick(1, 0)));
        assertProblem(tooFew, 400, "validation");
        assertThat(fields(tooFew)).containsExactly("answers");

        VoteHttp.Answer tooMany =
                http.vote(poll.pollId(), user, null, List.of(pick(0, 0), pick(0, 1), pick(0, 2), pick(0, 3)));
        assertProblem(tooMany, 400, "validation");
        assertThat(fields(tooMany)).containsExactly("answers");

        // all or nothing: the user was added to no voter set, so a valid vote now goes through
        for (PollDefinition.Question question : poll.questions()) {
            assertThat(redis.opsForSet()
                            .isMember(
                                    RedisKeys.voters(shards.of(poll.pollId()), question.questionId()), user.toString()))
                    .isFalse();
        }
        VoteHttp.Answer valid = http.vote(poll.pollId(), user, null, List.of(pick(0, 3), pick(0, 1)));
        assertThat(valid.status()).as(valid.body()).isEqualTo(202);
        awaitRecorded(valid.text("vote_id"));
        assertThat(responses(user)).isEqualTo(2);
    }

    @Test
    void aSecondVoteWithOtherChoicesIs409AndAfterRedisLostItsVoterSetsIsRejectedByPostgres() {
        UUID user = UUID.randomUUID();
        VoteHttp.Answer first = http.vote(poll.pollId(), user, null, List.of(pick(0, 0), pick(0, 1)));
        assertThat(first.status()).isEqualTo(202);
        awaitRecorded(first.text("vote_id"));

        assertProblem(http.vote(poll.pollId(), user, null, List.of(pick(0, 2), pick(0, 3))), 409, "already-voted");

        // Redis loses the voter sets (as after FLUSHALL): the script lets the vote through, PostgreSQL's
        // guard on (question, user) refuses it
        for (PollDefinition.Question question : poll.questions()) {
            redis.delete(RedisKeys.voters(shards.of(poll.pollId()), question.questionId()));
        }
        VoteHttp.Answer again = http.vote(poll.pollId(), user, null, List.of(pick(0, 2), pick(0, 3), pick(1, 0)));
        assertThat(again.status()).as(again.body()).isEqualTo(202);
        await().atMost(RECORDED)
                .until(() -> "rejected".equals(status(again.text("vote_id")).text("status")));

        // question 0 keeps the first vote's two choices; question 1, new to the user, is counted (the
        // ingester decides per question, as it did before multi-choice); the user stays one poll voter
        await().atMost(RECORDED).until(() -> responses(user) == 3);
        assertThat(choiceCount(0, 0)).isEqualTo(1);
        assertThat(choiceCount(0, 2)).isZero();
        assertThat(choiceCount(0, 3)).isZero();
        assertThat(choiceCount(1, 0)).isEqualTo(1);
        assertThat(questionVoters(0)).isEqualTo(1);
        assertThat(questionVoters(1)).isEqualTo(1);
        assertThat(pollVoters()).isEqualTo(1);
    }

    @Test
    void aVoteIsOneStreamEntryWithEveryAnswerAndItsMarkerCountsTheAnswers() {
        String stream = RedisKeys.voteStream(shards.of(poll.pollId()));
        http.vote(poll.pollId(), UUID.randomUUID(), null, List.<UUID[]>of(pick(1, 0))); // the stream exists
        long addedBefore = entriesAdded(stream);

        VoteHttp.Answer answer =
                http.vote(poll.pollId(), UUID.randomUUID(), null, List.of(pick(0, 0), pick(0, 2), pick(1, 1)));

        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        // XINFO STREAM's entries-added counts every XADD, whether or not the ingester already took it
        assertThat(entriesAdded(stream) - addedBefore).isEqualTo(1);
        UUID voteId = UUID.fromString(answer.text("vote_id"));
        assertThat(voteId.version()).as("a time-ordered UUIDv7").isEqualTo(7);
        assertThat(redis.opsForValue().get(RedisKeys.acceptedVote(shards.of(poll.pollId()), voteId)))
                .isEqualTo(poll.pollId() + " 3");
        awaitRecorded(voteId.toString());
        assertThat(jdbc.sql("SELECT count(*) FROM responses WHERE vote_id = ?")
                        .param(voteId)
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
    }

    @Test
    void aDuplicateOnOneQuestionIs409AndLeavesTheVoterInNoOtherQuestionsSet() {
        UUID user = UUID.randomUUID();
        assertThat(http.vote(poll.pollId(), user, null, List.<UUID[]>of(pick(1, 0)))
                        .status())
                .isEqualTo(202);

        // question 0 comes first: the script has added the voter to its set before it finds question 1 taken
        VoteHttp.Answer duplicate = http.vote(poll.pollId(), user, null, List.of(pick(0, 0), pick(0, 1), pick(1, 1)));

        assertProblem(duplicate, 409, "already-voted");
        assertThat(duplicate.text("detail"))
                .contains(poll.questions().get(1).questionId().toString());
        String firstSet = RedisKeys.voters(
                shards.of(poll.pollId()), poll.questions().get(0).questionId());
        assertThat(redis.opsForSet().isMember(firstSet, user.toString())).isFalse();
        // so question 0 is still open to this voter
        VoteHttp.Answer rest = http.vote(poll.pollId(), user, null, List.of(pick(0, 2), pick(0, 3)));
        assertThat(rest.status()).as(rest.body()).isEqualTo(202);
        awaitRecorded(rest.text("vote_id"));
        assertThat(responses(user)).isEqualTo(3);
        assertThat(choiceCount(0, 0)).isZero();
        assertThat(choiceCount(1, 1)).isZero();
    }

    private long entriesAdded(String stream) {
        return ((Number) redis.opsForStream().info(stream).getRaw().get("entries-added")).longValue();
    }

    private void awaitRecorded(String voteId) {
        await().atMost(RECORDED).until(() -> "recorded".equals(status(voteId).text("status")));
    }

    private VoteHttp.Answer status(String voteId) {
        return http.get("/api/polls/" + poll.pollId() + "/votes/" + voteId);
    }

    private UUID[] pick(int question, int choice) {
        PollDefinition.Question q = poll.questions().get(question);
        return new UUID[] {q.questionId(), q.choices().get(choice).choiceId()};
    }

    private static List<String> fields(VoteHttp.Answer answer) {
        List<String> fields = new ArrayList<>();
        answer.json()
                .get("errors")
                .forEach(error -> fields.add(error.get("field").asString()));
        return fields;
    }

    private long responses(UUID user) {
        return jdbc.sql("SELECT count(*) FROM responses WHERE poll_id = ? AND user_id = ?")
                .params(poll.pollId(), user)
                .query(Long.class)
                .single();
    }

    private long choiceCount(int question, int choice) {
        return jdbc.sql("SELECT count FROM choice_counts WHERE choice_id = ?")
                .param(poll.questions().get(question).choices().get(choice).choiceId())
                .query(Long.class)
                .single();
    }

    private long questionVoters(int question) {
        return jdbc.sql("SELECT voters FROM question_voter_counts WHERE question_id = ?")
                .param(poll.questions().get(question).questionId())
                .query(Long.class)
                .single();
    }

    private long pollVoters() {
        return jdbc.sql("SELECT voters FROM poll_voter_counts WHERE poll_id = ?")
                .param(poll.pollId())
                .query(Long.class)
                .single();
    }
}
