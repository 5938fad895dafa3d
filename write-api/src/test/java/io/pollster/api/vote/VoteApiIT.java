package io.pollster.api.vote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.testing.PollsterIntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

@PollsterIntegrationTest
class VoteApiIT {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Shards shards;

    private TestPolls polls;
    private VoteHttp http;
    private PollDefinition poll;

    @BeforeEach
    void openPoll() {
        polls = new TestPolls(jdbc);
        http = new VoteHttp(port);
        poll = polls.open(3, 3);
    }

    @Test
    void acceptedVoteIsRecordedOnceWithItsCounters() {
        UUID user = UUID.randomUUID();
        VoteHttp.Answer answer = http.vote(poll.pollId(), user, null, allQuestions(0));

        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.text("status")).isEqualTo("accepted");
        String voteId = answer.text("vote_id");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "recorded".equals(status(voteId).text("status")));
        assertThat(polls.responses(poll.pollId())).isEqualTo(3);
        for (PollDefinition.Question question : poll.questions()) {
            assertThat(polls.counters(poll.pollId())
                            .get(question.choices().get(0).choiceId()))
                    .isEqualTo(1);
            assertThat(polls.counters(poll.pollId())
                            .get(question.choices().get(1).choiceId()))
                    .isZero();
        }
        assertThat(jdbc.sql("SELECT count(DISTINCT vote_id) FROM responses WHERE poll_id = ?")
                        .param(poll.pollId())
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void secondVoteOfAUserOnAnyQuestionIsRefusedWith409AndWritesNothing() {
        UUID user = UUID.randomUUID();
        assertThat(http.vote(poll.pollId(), user, null, List.<UUID[]>of(answer(0, 0)))
                        .status())
                .isEqualTo(202);

        // one question already answered, two new: all refused together
        VoteHttp.Answer second = http.vote(poll.pollId(), user, null, allQuestions(1));

        assertProblem(second, 409, "already-voted");
        assertThat(redis.opsForSet()
                        .isMember(
                                RedisKeys.voters(
                                        shards.of(poll.pollId()),
                                        poll.questions().get(1).questionId()),
                                user.toString()))
                .isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> polls.responses(poll.pollId()) == 1);
    }

    @Test
    void malformedRequestsAre400() {
        String path = "/api/polls/" + poll.pollId() + "/votes";
        String user = UUID.randomUUID().toString();

        assertProblem(http.post(path, user, null, "application/json", "{not json"), 400, "malformed-request");
        assertProblem(
                http.post(path, user, null, "application/json", "{\"answers\":[{\"question_id\":\"nope\"}]}"),
                400,
                "malformed-request");
        VoteHttp.Answer missing = http.post(path, user, null, "application/json", "{}");
        assertProblem(missing, 400, "validation");
        assertThat(missing.json().get("errors").get(0).get("field").asString()).isEqualTo("answers");
        assertProblem(http.post(path, user, null, "application/json", "{\"answers\":[]}"), 400, "validation");
        assertProblem(http.post(path, user, null, "application/json", null), 400, "validation");
        VoteHttp.Answer twice =
                http.vote(poll.pollId(), UUID.fromString(user), null, List.of(answer(0, 0), answer(0, 1)));
        assertProblem(twice, 400, "validation");
        assertThat(twice.json().get("errors").get(0).get("field").asString()).isEqualTo("answers[1].question_id");
        assertProblem(http.post(path, user, null, "text/plain", "hello"), 415, "unsupported-media-type");
        assertNothingWritten(UUID.fromString(user));
    }

    @Test
    void missingOrMalformedUserIs401() {
        String path = "/api/polls/" + poll.pollId() + "/votes";
        String body = VoteHttp.body(allQuestions(0));

        assertProblem(http.post(path, null, null, "application/json", body), 401, "unauthenticated");
        assertProblem(http.post(path, "not-a-uuid", null, "application/json", body), 401, "unauthenticated");
        assertThat(redis.opsForSet().size(voters(0))).isZero();
    }

    @Test
    void unknownPollIs404() {
        UUID user = UUID.randomUUID();
        VoteHttp.Answer answer = http.vote(UUID.randomUUID(), user, null, allQuestions(0));

        assertProblem(answer, 404, "not-found");
        assertProblem(
                http.post("/api/polls/not-a-poll/votes", user.toString(), null, "application/json", "{}"),
                400,
                "validation");
    }

    @Test
    void closedPollIs409PollClosed() {
        UUID user = UUID.randomUUID();
        polls.close(poll.pollId());
        // what every closer does (the close endpoint, the scheduled closing job): drop the shared copy
        redis.delete(io.pollster.core.redis.RedisKeys.pollMetadata(poll.pollId()));

        // each instance trusts its copy of an open poll for open-poll-ttl (200 ms here) only
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        http.vote(poll.pollId(), user, null, allQuestions(0)).status() == 409);
        assertProblem(http.vote(poll.pollId(), user, null, allQuestions(0)), 409, "poll-closed");
        assertNothingWritten(user);
    }

    @Test
    void pollPastItsDeadlineIs409PollClosed() {
        PollDefinition expired = polls.create(1, 2, Instant.now().minusSeconds(1));
        UUID user = UUID.randomUUID();
        UUID[] answer = {
            expired.questions().get(0).questionId(),
            expired.questions().get(0).choices().get(0).choiceId()
        };

        assertProblem(http.vote(expired.pollId(), user, null, List.<UUID[]>of(answer)), 409, "poll-closed");
    }

    @Test
    void questionOrChoiceOutsideThePollIs422() {
        UUID user = UUID.randomUUID();
        UUID[] foreignQuestion = {
            UUID.randomUUID(), poll.questions().get(0).choices().get(0).choiceId()
        };
        UUID[] choiceOfAnotherQuestion = {
            poll.questions().get(0).questionId(),
            poll.questions().get(1).choices().get(0).choiceId()
        };

        VoteHttp.Answer question = http.vote(poll.pollId(), user, null, List.of(answer(1, 0), foreignQuestion));
        VoteHttp.Answer choice = http.vote(poll.pollId(), user, null, List.<UUID[]>of(choiceOfAnotherQuestion));

        assertProblem(question, 422, "validation");
        assertThat(question.json().get("errors").get(0).get("field").asString()).isEqualTo("answers[1].question_id");
        assertProblem(choice, 422, "validation");
        assertThat(choice.json().get("errors").get(0).get("field").asString()).isEqualTo("answers[0].choice_id");
        assertNothingWritten(user);
    }

    @Test
    void retryWithTheSameIdempotencyKeyGetsTheFirstAnswer() {
        UUID user = UUID.randomUUID();
        VoteHttp.Answer first = http.vote(poll.pollId(), user, "key-1", allQuestions(0));
        VoteHttp.Answer retry = http.vote(poll.pollId(), user, "key-1", allQuestions(0));

        assertThat(first.status()).isEqualTo(202);
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.text("vote_id")).isEqualTo(first.text("vote_id"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "recorded".equals(status(first.text("vote_id")).text("status")));
        assertThat(polls.responses(poll.pollId())).isEqualTo(3);
    }

    @Test
    void sameIdempotencyKeyWithAnotherBodyIs422() {
        UUID user = UUID.randomUUID();
        assertThat(http.vote(poll.pollId(), user, "key-2", allQuestions(0)).status())
                .isEqualTo(202);

        VoteHttp.Answer other = http.vote(poll.pollId(), user, "key-2", allQuestions(1));

        assertProblem(other, 422, "validation");
        assertThat(other.json().get("errors").get(0).get("field").asString()).isEqualTo("Idempotency-Key");
    }

    @Test
    void unknownVoteIs404() {
        assertProblem(status(UUID.randomUUID().toString()), 404, "not-found");
    }

    @Test
    void metricsArePublished() {
        http.vote(poll.pollId(), UUID.randomUUID(), null, allQuestions(0));
        http.vote(UUID.randomUUID(), UUID.randomUUID(), null, allQuestions(0));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(http.get("/actuator/prometheus").body())
                        .contains("pollster_votes_accepted_total")
                        .contains("pollster_votes_refused_total{reason=\"not-found\"")
                        .contains("pollster_votes_ingested_total")
                        .contains("pollster_votes_ingest_pending")
                        .contains("pollster_votes_stream_length")
                        .contains("pollster_votes_ingest_batch_size")
                        .contains("pollster_votes_ingest_batch_latency"));
    }

    private VoteHttp.Answer status(String voteId) {
        return http.get("/api/polls/" + poll.pollId() + "/votes/" + voteId);
    }

    private UUID[] answer(int question, int choice) {
        PollDefinition.Question q = poll.questions().get(question);
        return new UUID[] {q.questionId(), q.choices().get(choice).choiceId()};
    }

    private List<UUID[]> allQuestions(int choice) {
        return List.of(answer(0, choice), answer(1, choice), answer(2, choice));
    }

    private String voters(int question) {
        return RedisKeys.voters(
                shards.of(poll.pollId()), poll.questions().get(question).questionId());
    }

    private void assertNothingWritten(UUID user) {
        for (int q = 0; q < poll.questions().size(); q++) {
            assertThat(redis.opsForSet().isMember(voters(q), user.toString())).isFalse();
        }
        assertThat(polls.responses(poll.pollId())).isZero();
    }

    static void assertProblem(VoteHttp.Answer answer, int status, String slug) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.text("type")).isEqualTo("https://pollster.io/problems/" + slug);
        assertThat(answer.text("title")).isNotBlank();
        assertThat(answer.json().get("status").asInt()).isEqualTo(status);
        assertThat(answer.text("detail")).isNotBlank();
        assertThat(answer.text("instance")).startsWith("/api/polls/");
    }
}
