package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The end of every fault test: every vote answered 202 is in {@code responses} exactly once, and for
 * every choice Redis's count = {@code choice_counts} = the number of its responses = the 202s for it.
 */
final class ExactCounts {

    private ExactCounts() {}

    /**
     * Waits for the system to drain, then checks the counts exactly. A request that got no answer (the
     * process was killed with it in flight) or a 503 (a store was) may have been accepted: such a vote
     * may be counted, once; any other response is a vote counted that nobody cast.
     */
    static void assertEveryAcceptedVoteCountedOnce(StandaloneProcess app, VoteLoad load) throws Exception {
        UUID pollId = load.pollId();
        Map<UUID, UUID> accepted = load.accepted();
        Set<UUID> unanswered = load.unanswered();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    Map<UUID, UUID> recorded = responses(app, pollId);
                    assertThat(recorded).containsAllEntriesOf(accepted);
                    Map<UUID, Long> perChoice = recorded.values().stream()
                            .collect(Collectors.groupingBy(choice -> choice, Collectors.counting()));
                    assertThat(choiceCounts(app, pollId)).isEqualTo(perChoice);
                    assertThat(redisCounts(app, pollId)).isEqualTo(perChoice);
                });
        Set<UUID> extra = new HashSet<>(responses(app, pollId).keySet());
        extra.removeAll(accepted.keySet());
        assertThat(unanswered)
                .as("responses of users whose vote was not answered 202")
                .containsAll(extra);
        System.out.printf(
                "counted: %d votes answered 202, %d more of %d requests left unanswered or answered 503 by a kill%n",
                accepted.size(), extra.size(), unanswered.size());
    }

    /** How many of {@code users}' votes are in {@code responses} already. */
    static long recordedOf(StandaloneProcess app, UUID pollId, Set<UUID> users) throws SQLException {
        Set<UUID> recorded = new HashSet<>(responses(app, pollId).keySet());
        recorded.retainAll(users);
        return recorded.size();
    }

    /**
     * Where the votes of {@code users} not yet in {@code responses} are, for a failure message: still in
     * the vote stream (pending with a consumer, or not yet delivered) or nowhere in Redis any more (lost
     * before it wrote them to its AOF, or trimmed unrecorded).
     */
    static String whereMissing(StandaloneProcess app, UUID pollId, Set<UUID> users) {
        try {
            Set<UUID> missing = new HashSet<>(users);
            missing.removeAll(responses(app, pollId).keySet());
            RedisClient client = RedisClient.create(app.redisUrl());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                // the standalone runs with the default pollster.shards
                String stream = RedisKeys.voteStream(new Shards(8).of(pollId));
                Set<UUID> inStream = connection.sync().xrange(stream, Range.create("-", "+")).stream()
                        .map(entry -> UUID.fromString(entry.getBody().get("user_id")))
                        .filter(missing::contains)
                        .collect(Collectors.toSet());
                return String.format(
                        "%d of %d not in responses: %d still in %s (%s), %d nowhere in Redis: %s",
                        missing.size(),
                        users.size(),
                        inStream.size(),
                        stream,
                        connection.sync().xinfoGroups(stream),
                        missing.size() - inStream.size(),
                        missing.stream()
                                .filter(user -> !inStream.contains(user))
                                .limit(5)
                                .toList());
            } finally {
                client.shutdown();
            }
        } catch (RuntimeException | SQLException e) {
            return "cannot tell where the missing votes are: " + e;
        }
    }

    private static Map<UUID, UUID> responses(StandaloneProcess app, UUID pollId) throws SQLException {
        Map<UUID, UUID> byUser = new HashMap<>();
        try (Connection c = DriverManager.getConnection(app.jdbcUrl(), "postgres", "");
                PreparedStatement s =
                        c.prepareStatement("SELECT user_id, choice_id FROM responses WHERE poll_id = ?")) {
            s.setObject(1, pollId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    UUID previous = byUser.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class));
                    assertThat(previous).as("a second response of one user").isNull();
                }
            }
        }
        return byUser;
    }

    private static Map<UUID, Long> responsesPerChoice(StandaloneProcess app, UUID pollId) throws SQLException {
        return responses(app, pollId).values().stream()
                .collect(Collectors.groupingBy(choice -> choice, Collectors.counting()));
    }

    private static Map<UUID, Long> choiceCounts(StandaloneProcess app, UUID pollId) throws SQLException {
        Map<UUID, Long> counts = new HashMap<>();
        try (Connection c = DriverManager.getConnection(app.jdbcUrl(), "postgres", "");
                PreparedStatement s = c.prepareStatement(
                        "SELECT choice_id, count FROM choice_counts WHERE poll_id = ? AND count > 0")) {
            s.setObject(1, pollId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getObject(1, UUID.class), rs.getLong(2));
                }
            }
        }
        return counts;
    }

    private static Map<UUID, Long> redisCounts(StandaloneProcess app, UUID pollId) {
        RedisClient client = RedisClient.create(app.redisUrl());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            Map<UUID, Long> counts = new HashMap<>();
            connection.sync().hgetall(RedisKeys.counts(pollId)).forEach((field, value) -> {
                long count = Long.parseLong(value);
                if (count > 0 && RedisKeys.isChoiceField(field)) {
                    counts.put(RedisKeys.choiceOfField(field), count);
                }
            });
            return counts;
        } finally {
            client.shutdown();
        }
    }
}
