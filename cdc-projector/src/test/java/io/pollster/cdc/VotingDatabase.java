package io.pollster.cdc;

import io.pollster.testing.PollFixtures;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Test stand-in for poll creation ({@link PollFixtures}) and the vote ingester, with its SQL: per batch,
 * responses inserted with ON CONFLICT DO NOTHING, choice_counts raised by what was actually inserted and
 * the voter counters by the batch's voters, in one transaction.
 */
final class VotingDatabase {

    private final String url;
    private final String user;
    private final String password;

    VotingDatabase(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    record Poll(UUID pollId, List<UUID> questionIds, List<List<UUID>> choiceIds) {}

    /**
     * A connection that gives up on a dead server instead of waiting forever: while PostgreSQL restarts,
     * a socket can be left half-open, and a read on it would hang the load generator.
     */
    Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "10");
        return DriverManager.getConnection(url, properties);
    }

    Poll createPoll(int questions, int choicesPerQuestion) {
        PollFixtures.Poll created = new PollFixtures(this::connect)
                .create(PollFixtures.poll()
                        .title("CDC test")
                        .slugPrefix("cdc-test-")
                        .questions(questions)
                        .choices(choicesPerQuestion));
        return new Poll(created.pollId(), created.questionIds(), created.choiceIds());
    }

    /** One ingester batch: {@code voters} new users each answer every question of the poll. */
    void vote(Connection db, Poll poll, int voters) throws SQLException {
        db.setAutoCommit(false);
        try {
            StringBuilder sql = new StringBuilder(
                    "INSERT INTO responses (response_id, poll_id, question_id, choice_id, user_id, vote_id, submitted_at) VALUES ");
            List<Object> params = new ArrayList<>();
            Timestamp now = Timestamp.from(Instant.now());
            for (int v = 0; v < voters; v++) {
                UUID user = UUID.randomUUID();
                UUID vote = UUID.randomUUID();
                for (int q = 0; q < poll.questionIds().size(); q++) {
                    List<UUID> choices = poll.choiceIds().get(q);
                    if (!params.isEmpty()) {
                        sql.append(", ");
                    }
                    sql.append("(?, ?, ?, ?, ?, ?, ?)");
                    params.addAll(List.of(
                            UUID.randomUUID(),
                            poll.pollId(),
                            poll.questionIds().get(q),
                            choices.get(ThreadLocalRandom.current().nextInt(choices.size())),
                            user,
                            vote,
                            now));
                }
            }
            sql.append(" ON CONFLICT DO NOTHING RETURNING choice_id");
            Map<UUID, Integer> inserted = new HashMap<>();
            try (PreparedStatement insert = db.prepareStatement(sql.toString())) {
                for (int i = 0; i < params.size(); i++) {
                    insert.setObject(i + 1, params.get(i));
                }
                try (ResultSet rows = insert.executeQuery()) {
                    while (rows.next()) {
                        inserted.merge(rows.getObject(1, UUID.class), 1, Integer::sum);
                    }
                }
            }
            try (PreparedStatement update =
                    db.prepareStatement("UPDATE choice_counts SET count = count + ? WHERE choice_id = ?")) {
                for (Map.Entry<UUID, Integer> entry : inserted.entrySet()) {
                    update.setLong(1, entry.getValue());
                    update.setObject(2, entry.getKey());
                    update.addBatch();
                }
                update.executeBatch();
            }
            // every voter of the batch is new and answers every question: each question and the poll gain
            // exactly `voters` voters
            try (PreparedStatement questions = db.prepareStatement(
                    """
                    INSERT INTO question_voter_counts (question_id, poll_id, voters) VALUES (?, ?, ?)
                    ON CONFLICT (question_id) DO UPDATE SET voters = question_voter_counts.voters + EXCLUDED.voters
                    """)) {
                for (UUID question : poll.questionIds()) {
                    questions.setObject(1, question);
                    questions.setObject(2, poll.pollId());
                    questions.setLong(3, voters);
                    questions.addBatch();
                }
                questions.executeBatch();
            }
            try (PreparedStatement pollVoters = db.prepareStatement(
                    """
                    INSERT INTO poll_voter_counts (poll_id, voters) VALUES (?, ?)
                    ON CONFLICT (poll_id) DO UPDATE SET voters = poll_voter_counts.voters + EXCLUDED.voters
                    """)) {
                pollVoters.setObject(1, poll.pollId());
                pollVoters.setLong(2, voters);
                pollVoters.executeUpdate();
            }
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            throw e;
        }
    }

    Map<UUID, Long> counts(UUID pollId) throws SQLException {
        Map<UUID, Long> counts = new HashMap<>();
        try (Connection db = connect();
                PreparedStatement select =
                        db.prepareStatement("SELECT choice_id, count FROM choice_counts WHERE poll_id = ?")) {
            select.setObject(1, pollId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    counts.put(rows.getObject(1, UUID.class), rows.getLong(2));
                }
            }
        }
        return counts;
    }

    long scalar(String sql, Object... params) throws SQLException {
        try (Connection db = connect();
                PreparedStatement select = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                select.setObject(i + 1, params[i]);
            }
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    void execute(String sql, Object... params) throws SQLException {
        try (Connection db = connect();
                PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            statement.execute();
        }
    }
}
