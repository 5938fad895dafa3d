package io.pollster.api.vote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.testing.PollsterIntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

@PollsterIntegrationTest
class VoteConsistencyIT {

    private static final int USERS = 200;
    private static final int DUPLICATES = USERS / 5;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Shards shards;

    @Test
    void concurrentUsersWithDuplicateAttemptsGetOneResponsePerQuestionAndExactCounters() throws Exception {
        TestPolls polls = new TestPolls(jdbc);
        PollDefinition poll = polls.open(3, 4);
        VoteHttp http = new VoteHttp(port);
        List<UUID> users = new ArrayList<>();
        List<Runnable> attempts = new ArrayList<>();
        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        for (int u = 0; u < USERS; u++) {
            UUID user = UUID.randomUUID();
            users.add(user);
            int choice = u % 4;
            attempts.add(() -> statuses.add(
                    http.vote(poll.pollId(), user, null, answers(poll, choice)).status()));
            if (u < DUPLICATES) {
                // a second attempt racing the first, with other choices: at most one may count
                attempts.add(() -> statuses.add(http.vote(poll.pollId(), user, null, answers(poll, (choice + 1) % 4))
                        .status()));
            }
        }
        Collections.shuffle(attempts);

        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<?>> done = new ArrayList<>();
            attempts.forEach(attempt -> done.add(pool.submit(attempt)));
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdown();
        }

        assertThat(statuses.stream().filter(s -> s == 202)).hasSize(USERS);
        assertThat(statuses.stream().filter(s -> s == 409)).hasSize(DUPLICATES);
        await().atMost(Duration.ofSeconds(30)).until(() -> polls.responses(poll.pollId()) == USERS * 3L);
        assertThat(jdbc.sql("SELECT count(DISTINCT (user_id, question_id)) FROM responses WHERE poll_id = ?")
                        .param(poll.pollId())
                        .query(Long.class)
                        .single())
                .isEqualTo(USERS * 3L);
        polls.assertCountersMatchResponses(poll);
    }

    @Test
    void lostVoterSetsLetDuplicatesThroughToPostgresWhichRejectsThem() {
        TestPolls polls = new TestPolls(jdbc);
        PollDefinition poll = polls.open(2, 2);
        VoteHttp http = new VoteHttp(port);
        UUID user = UUID.randomUUID();
        VoteHttp.Answer first = http.vote(poll.pollId(), user, null, answers(poll, 0));
        assertThat(first.status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> "recorded"
                .equals(status(http, poll, first.text("vote_id")).text("status")));

        for (PollDefinition.Question question : poll.questions()) {
            redis.delete(RedisKeys.voters(shards.of(poll.pollId()), question.questionId()));
        }
        VoteHttp.Answer duplicate = http.vote(poll.pollId(), user, null, answers(poll, 1));

        assertThat(duplicate.status()).as("Redis no longer knows the user").isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> "rejected"
                .equals(status(http, poll, duplicate.text("vote_id")).text("status")));
        assertThat(status(http, poll, duplicate.text("vote_id")).text("reason")).startsWith("already-voted");
        assertThat(status(http, poll, first.text("vote_id")).text("status")).isEqualTo("recorded");
        assertThat(polls.responses(poll.pollId())).isEqualTo(2);
        assertThat(polls.responsesByChoice(poll.pollId()))
                .containsOnlyKeys(
                        poll.questions().get(0).choices().get(0).choiceId(),
                        poll.questions().get(1).choices().get(0).choiceId());
        polls.assertCountersMatchResponses(poll);
    }

    private static VoteHttp.Answer status(VoteHttp http, PollDefinition poll, String voteId) {
        return http.get("/api/polls/" + poll.pollId() + "/votes/" + voteId);
    }

    private static List<UUID[]> answers(PollDefinition poll, int choice) {
        return poll.questions().stream()
                .map(q -> new UUID[] {q.questionId(), q.choices().get(choice).choiceId()})
                .toList();
    }
}
