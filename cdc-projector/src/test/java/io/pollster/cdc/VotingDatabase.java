package io.pollster.cdc;

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
 * Test stand-in for poll creation and the vote ingester, with their SQL: a poll, its questions, choices
 * and zeroed choice_counts in one transaction; per batch, responses inserted with ON CONFLICT DO NOTHING
 * and choice_counts raised by what was actually inserted, in one transaction.
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

    Poll createPoll(int questions, int choicesPerQuestion) throws SQLException {
        UUID pollId = UUID.randomUUID();
        List<UUID> questionIds = new ArrayList<>();
        List<List<UUID>> choiceIds = new ArrayList<>();
        try (Connection db = connect()) {
            db.setAutoCommit(false);
            try (PreparedStatement poll = db.prepareStatement(
                    "INSERT INTO polls (poll_id, creator_id, title, unique_slug) VALUES (?, ?, 'CDC test', ?)")) {
                poll.setObject(1, pollId);
                poll.setObject(2, UUID.randomUUID());
                poll.setString(3, "cdc-test-" + pollId);
                poll.executeUpdate();
            }
            for (int q = 0; q < questions; q++) {
                UUID questionId = UUID.randomUUID();
                questionIds.add(questionId);
                try (PreparedStatement question = db.prepareStatement(
                        "INSERT INTO questions (question_id, poll_id, question_text, \"order\") VALUES (?, ?, ?, ?)")) {
                    question.setObject(1, questionId);
                    question.setObject(2, pollId);
                    question.setString(3, "question " + q);
                    question.setInt(4, q);
                    question.executeUpdate();
                }
                List<UUID> choices = new ArrayList<>();
                for (int c = 0; c < choicesPerQuestion; c++) {
                    UUID choiceId = UUID.randomUUID();
                    choices.add(choiceId);
                    try (PreparedStatement choice = db.prepareStatement(
                                    "INSERT INTO choices (choice_id, question_id, choice_text, position) VALUES (?, ?, ?, ?)");
                            PreparedStatement count = db.prepareStatement(
                                    "INSERT INTO choice_counts (choice_id, poll_id, question_id, count) VALUES (?, ?, ?, 0)")) {
                        choice.setObject(1, choiceId);
                        choice.setObject(2, questionId);
                        choice.setString(3, "choice " + c);
                        choice.setInt(4, c);
                        choice.executeUpdate();
                        count.setObject(1, choiceId);
                        count.setObject(2, pollId);
                        count.setObject(3, questionId);
                        count.executeUpdate();
                    }
                }
                choiceIds.add(choices);
            }
            db.commit();
        }
        return new Poll(pollId, questionIds, choiceIds);
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
