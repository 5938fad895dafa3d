package io.pollster.live;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.results.CountsStore;
import io.pollster.core.results.PollCounts;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsMessage;
import io.pollster.testing.PollFixtures;
import io.pollster.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.flywaydb.core.Flyway;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Polls created by SQL, and the projector's part played by hand: counts written to PostgreSQL and Redis,
 * then a Results message published on the poll's channel.
 */
final class TestPolls {

    private final JdbcClient jdbc;
    private final StringRedisTemplate redis;
    private final CountsStore counts;

    /** The gateway owns no schema (it runs no Flyway): its tests migrate the test servers themselves. */
    static void migrateSchema() {
        TestServers servers = TestServers.get();
        Flyway.configure()
                .dataSource(servers.jdbcUrl(), servers.username(), servers.password())
                .load()
                .migrate();
    }

    TestPolls(JdbcClient jdbc, StringRedisTemplate redis) {
        this.jdbc = jdbc;
        this.redis = redis;
        this.counts = new CountsStore(redis);
    }

    /** A poll of {@code questions} questions of {@code choices} choices each, every count 0 in PostgreSQL. */
    Poll create(int questions, int choices) {
        PollFixtures.Poll created = PollFixtures.onTestServers()
                .create(PollFixtures.poll()
                        .title("Live?")
                        .slugPrefix("live-")
                        .questions(questions)
                        .choices(choices));
        Map<UUID, List<UUID>> layout = new LinkedHashMap<>();
        created.questions().forEach(question -> layout.put(question.questionId(), question.choiceIds()));
        return new Poll(created.pollId(), created.creatorId(), created.slug(), layout, new LinkedHashMap<>());
    }

    /**
     * A poll like {@link #create(int, int)} with the settings {@code voters} and {@code results_visibility}
     * (their column values), set before any service has read the poll.
     */
    Poll create(int questions, int choices, String voters, String resultsVisibility) {
        Poll poll = create(questions, choices);
        jdbc.sql("UPDATE polls SET voters = ?, results_visibility = ? WHERE poll_id = ?")
                .params(voters, resultsVisibility, poll.pollId())
                .update();
        return poll;
    }

    /**
     * One vote on a choice, by a new voter answering that question only: PostgreSQL and Redis counts and
     * voter counters, no message.
     */
    void count(Poll poll, UUID choiceId) {
        long count = poll.counts().merge(choiceId, 1L, Long::sum);
        UUID questionId = poll.layout().entrySet().stream()
                .filter(question -> question.getValue().contains(choiceId))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
        long questionVoters = poll.layout().get(questionId).stream()
                .mapToLong(choice -> poll.counts().getOrDefault(choice, 0L))
                .sum();
        long pollVoters =
                poll.counts().values().stream().mapToLong(Long::longValue).sum();
        jdbc.sql("UPDATE choice_counts SET count = ? WHERE choice_id = ?")
                .params(count, choiceId)
                .update();
        jdbc.sql(
                        """
                        INSERT INTO question_voter_counts (question_id, poll_id, voters) VALUES (?, ?, ?)
                        ON CONFLICT (question_id) DO UPDATE SET voters = EXCLUDED.voters
                        """)
                .params(questionId, poll.pollId(), questionVoters)
                .update();
        jdbc.sql(
                        """
                        INSERT INTO poll_voter_counts (poll_id, voters) VALUES (?, ?)
                        ON CONFLICT (poll_id) DO UPDATE SET voters = EXCLUDED.voters
                        """)
                .params(poll.pollId(), pollVoters)
                .update();
        counts.keepGreater(
                poll.pollId(), new PollCounts(Map.of(choiceId, count), Map.of(questionId, questionVoters), pollVoters));
    }

    /** Publishes the poll's current counts, as the projector does after a batch. */
    void publish(Poll poll, boolean closed) {
        // sharded pub/sub, as the projector publishes (RedisTemplate has no SPUBLISH of its own)
        byte[] channel = RedisKeys.updates(poll.pollId()).getBytes(StandardCharsets.UTF_8);
        byte[] json = message(poll, closed).toJson().getBytes(StandardCharsets.UTF_8);
        redis.execute((RedisCallback<Long>) connection -> {
            try {
                @SuppressWarnings("unchecked")
                RedisClusterAsyncCommands<byte[], byte[]> lettuce =
                        (RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
                return lettuce.spublish(channel, json).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new RedisConnectionFailureException("SPUBLISH failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RedisConnectionFailureException("interrupted", e);
            }
        });
    }

    void close(Poll poll) {
        jdbc.sql("UPDATE polls SET closed_at = now() WHERE poll_id = ?")
                .param(poll.pollId())
                .update();
    }

    ResultsMessage message(Poll poll, boolean closed) {
        long total = 0;
        List<Results.QuestionResults> questions = new ArrayList<>();
        for (Map.Entry<UUID, List<UUID>> question : poll.layout().entrySet()) {
            long questionTotal = 0;
            List<Results.ChoiceCount> choices = new ArrayList<>();
            for (UUID choiceId : question.getValue()) {
                long count = poll.counts().getOrDefault(choiceId, 0L);
                questionTotal += count;
                choices.add(new Results.ChoiceCount(choiceId, count));
            }
            total += questionTotal;
            questions.add(new Results.QuestionResults(question.getKey(), questionTotal, choices));
        }
        return ResultsMessage.of(new Results(poll.pollId(), total, closed, total, questions));
    }

    record Poll(UUID pollId, UUID creatorId, String slug, Map<UUID, List<UUID>> layout, Map<UUID, Long> counts) {

        UUID choice(int question, int choice) {
            return new ArrayList<>(layout.values()).get(question).get(choice);
        }
    }
}
