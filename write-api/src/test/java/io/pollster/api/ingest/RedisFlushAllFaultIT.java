package io.pollster.api.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.api.vote.TestPolls;
import io.pollster.api.vote.VoteHttp;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.core.vote.VoteStreamEntry;
import io.pollster.testing.PollsterIntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * docs/votes.md, "Redis loss, told honestly": a FLUSHALL loses exactly the votes still in the stream,
 * nothing ingested before, and the consumer group is rebuilt so new votes flow.
 */
@PollsterIntegrationTest
class RedisFlushAllFaultIT {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Shards shards;

    @Autowired
    VoteStreamIngester ingester;

    @LocalServerPort
    int port;

    @Test
    void flushAllWhileTheIngesterIsStoppedLosesExactlyTheBacklogAndTheGroupIsRebuilt() {
        TestPolls polls = new TestPolls(jdbc);
        PollDefinition poll = polls.open(3, 2);
        String stream = RedisKeys.voteStream(shards.of(poll.pollId()));
        VoteHttp http = new VoteHttp(port);

        List<String> before = vote(http, poll, 20);
        await().atMost(Duration.ofSeconds(60)).until(() -> polls.responses(poll.pollId()) == 60);

        List<String> backlog;
        long answersLost;
        ingester.stop();
        try {
            backlog = vote(http, poll, 30);
            // what the docs say a FLUSHALL loses: the entries in the stream, which are exactly these, one
            // per vote, holding their 90 answers
            List<MapRecord<String, Object, Object>> entries =
                    redis.opsForStream().range(stream, Range.unbounded()).stream()
                            .filter(e ->
                                    poll.pollId().toString().equals(e.getValue().get("poll_id")))
                            .toList();
            assertThat(entries).hasSize(30);
            answersLost = entries.stream()
                    .mapToLong(e -> VoteStreamEntry.events(fieldsOf(e)).size())
                    .sum();
            assertThat(answersLost).isEqualTo(90);
            try (RedisConnection connection = redis.getConnectionFactory().getConnection()) {
                connection.serverCommands().flushAll();
            }
        } finally {
            ingester.start();
        }

        List<String> after = vote(http, poll, 10);
        await().atMost(Duration.ofSeconds(60)).until(() -> polls.responses(poll.pollId()) == 90);

        assertThat(recordedAnswers(before)).isEqualTo(60);
        assertThat(recordedAnswers(backlog))
                .as("the 30 votes in the stream at FLUSHALL")
                .isZero();
        assertThat(recordedAnswers(after)).isEqualTo(30);
        // every answer accepted, less exactly what the docs say FLUSHALL loses
        assertThat(polls.responses(poll.pollId())).isEqualTo(60 + 90 + 30 - answersLost);
        for (String lost : backlog) {
            // the accepted marker went with the stream: Redis knows nothing of it, PostgreSQL neither
            assertThat(http.get("/api/polls/" + poll.pollId() + "/votes/" + lost)
                            .status())
                    .isEqualTo(404);
        }
        assertThat(redis.opsForStream().groups(stream).stream().map(g -> g.groupName()))
                .contains(VoteStreamIngester.GROUP);
        assertThat(jdbc.sql("SELECT count(*) FROM vote_rejections WHERE poll_id = ?")
                        .param(poll.pollId())
                        .query(Long.class)
                        .single())
                .isZero();
        polls.assertCountersMatchResponses(poll);
    }

    private static Map<String, String> fieldsOf(MapRecord<String, Object, Object> entry) {
        Map<String, String> fields = new LinkedHashMap<>();
        entry.getValue().forEach((name, value) -> fields.put(String.valueOf(name), String.valueOf(value)));
        return fields;
    }

    private static List<String> vote(VoteHttp http, PollDefinition poll, int votes) {
        List<String> ids = new ArrayList<>();
        for (int v = 0; v < votes; v++) {
            int choice = v % 2;
            List<UUID[]> answers = poll.questions().stream()
                    .map(q ->
                            new UUID[] {q.questionId(), q.choices().get(choice).choiceId()})
                    .toList();
            VoteHttp.Answer answer = http.vote(poll.pollId(), UUID.randomUUID(), null, answers);
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            ids.add(answer.text("vote_id"));
        }
        return ids;
    }

    private long recordedAnswers(List<String> voteIds) {
        return jdbc.sql("SELECT count(*) FROM responses WHERE vote_id = ANY (?::uuid[])")
                .param(voteIds.toArray(String[]::new))
                .query(Long.class)
                .single();
    }
}
