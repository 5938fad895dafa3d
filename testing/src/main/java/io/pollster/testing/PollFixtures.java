package io.pollster.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Polls inserted straight into PostgreSQL, in one transaction, as {@code POST /api/polls} leaves them: the
 * poll, its questions, their choices and one {@code choice_counts} row per choice. The one home of this
 * SQL for every module's tests, so that a schema change is made to fixtures once.
 *
 * <pre>{@code
 * PollFixtures.Poll poll = PollFixtures.onTestServers().create(PollFixtures.poll().questions(2).choices(3));
 * }</pre>
 */
public final class PollFixtures {

    /** Where the fixture gets its connection from: a {@link DataSource}, a driver URL, a test's helper. */
    @FunctionalInterface
    public interface Connections {
        Connection open() throws SQLException;
    }

    /** A created poll's ids, in the order of its questions and choices. */
    public record Poll(UUID pollId, UUID creatorId, String slug, List<Question> questions) {

        public UUID questionId(int question) {
            return questions.get(question).questionId();
        }

        public UUID choiceId(int question, int choice) {
            return questions.get(question).choiceIds().get(choice);
        }

        /** Every question's choice ids, question by question. */
        public List<List<UUID>> choiceIds() {
            return questions.stream().map(Question::choiceIds).toList();
        }

        public List<UUID> questionIds() {
            return questions.stream().map(Question::questionId).toList();
        }
    }

    public record Question(UUID questionId, List<UUID> choiceIds) {}

    /**
     * What to create. Defaults: a random id and creator, title "Poll <id>", slug "poll-<id>", open, one
     * question of two choices, every counter at 0.
     */
    public static final class Spec {
        private UUID pollId;
        private UUID creatorId;
        private String title;
        private String slug;
        private String slugPrefix = "poll-";
        private Instant closesAt;
        private int questions = 1;
        private int choices = 2;
        private String questionText = "Question %d";
        private String choiceText = "Choice %d";
        private long[][] counts;
        private boolean countRows = true;

        private Spec() {}

        public Spec pollId(UUID value) {
            pollId = value;
            return this;
        }

        public Spec creator(UUID value) {
            creatorId = value;
            return this;
        }

        public Spec title(String value) {
            title = value;
            return this;
        }

        /** The whole slug; by default it is {@link #slugPrefix} followed by the poll id. */
        public Spec slug(String value) {
            slug = value;
            return this;
        }

        public Spec slugPrefix(String value) {
            slugPrefix = value;
            return this;
        }

        /** {@code null}: no closing time. */
        public Spec closesAt(Instant value) {
            closesAt = value;
            return this;
        }

        public Spec questions(int value) {
            questions = value;
            return this;
        }

        public Spec choices(int value) {
            choices = value;
            return this;
        }

        /** Question texts from a {@link String#format} pattern of the question's index. */
        public Spec questionText(String value) {
            questionText = value;
            return this;
        }

        /** Choice texts from a {@link String#format} pattern of the choice's index. */
        public Spec choiceText(String value) {
            choiceText = value;
            return this;
        }

        /** Initial counts of the choices of each question ({@code counts[question][choice]}); 0 otherwise. */
        public Spec counts(long[]... value) {
            counts = value;
            return this;
        }

        /** No {@code choice_counts} rows, for tests of code that reads polls only. */
        public Spec withoutCountRows() {
            countRows = false;
            return this;
        }
    }

    private final Connections connections;

    /** Polls in the PostgreSQL of {@link TestServers}, the one every integration test runs on. */
    public static PollFixtures onTestServers() {
        TestServers servers = TestServers.get();
        return new PollFixtures(
                () -> DriverManager.getConnection(servers.jdbcUrl(), servers.username(), servers.password()));
    }

    public PollFixtures(DataSource dataSource) {
        this(dataSource::getConnection);
    }

    public PollFixtures(Connections connections) {
        this.connections = connections;
    }

    /** The defaults of {@link Spec}, to adjust. */
    public static Spec poll() {
        return new Spec();
    }

    /** An open poll of {@code questions} questions of {@code choices} choices each, every count 0. */
    public Poll create(int questions, int choices) {
        return create(poll().questions(questions).choices(choices));
    }

    public Poll create(Spec spec) {
        UUID pollId = spec.pollId == null ? UUID.randomUUID() : spec.pollId;
        UUID creatorId = spec.creatorId == null ? UUID.randomUUID() : spec.creatorId;
        String slug = spec.slug == null ? spec.slugPrefix + pollId : spec.slug;
        List<Question> questions = new ArrayList<>();
        try (Connection db = connections.open()) {
            db.setAutoCommit(false);
            try (PreparedStatement poll = db.prepareStatement(
                            "INSERT INTO polls (poll_id, creator_id, title, unique_slug, closes_at) VALUES (?, ?, ?, ?, ?)");
                    PreparedStatement question = db.prepareStatement(
                            "INSERT INTO questions (question_id, poll_id, question_text, \"order\") VALUES (?, ?, ?, ?)");
                    PreparedStatement choice = db.prepareStatement(
                            "INSERT INTO choices (choice_id, question_id, choice_text, position) VALUES (?, ?, ?, ?)");
                    PreparedStatement count = db.prepareStatement(
                            "INSERT INTO choice_counts (choice_id, poll_id, question_id, count) VALUES (?, ?, ?, ?)")) {
                poll.setObject(1, pollId);
                poll.setObject(2, creatorId);
                poll.setString(3, spec.title == null ? "Poll " + pollId : spec.title);
                poll.setString(4, slug);
                poll.setObject(
                        5, spec.closesAt == null ? null : OffsetDateTime.ofInstant(spec.closesAt, ZoneOffset.UTC));
                poll.executeUpdate();
                for (int q = 0; q < spec.questions; q++) {
                    UUID questionId = UUID.randomUUID();
                    question.setObject(1, questionId);
                    question.setObject(2, pollId);
                    question.setString(3, String.format(spec.questionText, q));
                    question.setInt(4, q);
                    question.executeUpdate();
                    List<UUID> choiceIds = new ArrayList<>();
                    for (int c = 0; c < spec.choices; c++) {
                        UUID choiceId = UUID.randomUUID();
                        choice.setObject(1, choiceId);
                        choice.setObject(2, questionId);
                        choice.setString(3, String.format(spec.choiceText, c));
                        choice.setInt(4, c);
                        choice.executeUpdate();
                        if (spec.countRows) {
                            count.setObject(1, choiceId);
                            count.setObject(2, pollId);
                            count.setObject(3, questionId);
                            count.setLong(4, spec.counts == null ? 0 : spec.counts[q][c]);
                            count.executeUpdate();
                        }
                        choiceIds.add(choiceId);
                    }
                    questions.add(new Question(questionId, List.copyOf(choiceIds)));
                }
            }
            db.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create a test poll", e);
        }
        return new Poll(pollId, creatorId, slug, List.copyOf(questions));
    }

    /**
     * Records {@code voters} votes straight in PostgreSQL, in one transaction, as the ingester leaves them:
     * each voter (a new user id) answers every question of the poll, voter {@code i} picking choice
     * {@code i mod choices}, one second apart by {@code submitted_at}, with its guard rows
     * ({@code question_voters}, {@code poll_voters}); then every counter of the poll ({@code choice_counts},
     * {@code question_voter_counts}, {@code poll_voter_counts}) is set to what the rows count. A million
     * voters take minutes to insert on a busy machine, where going through the API would take far longer.
     *
     * @return the number of responses inserted (voters × questions)
     */
    public long recordVotes(Poll poll, int voters) {
        String salt = UUID.randomUUID().toString();
        long inserted = 0;
        try (Connection db = connections.open()) {
            db.setAutoCommit(false);
            try (PreparedStatement responses = db.prepareStatement(
                            """
                            INSERT INTO responses (response_id, poll_id, question_id, choice_id, user_id, vote_id,
                                                   submitted_at, ip_address)
                            SELECT gen_random_uuid(), ?, ?, (?::uuid[])[i % ? + 1],
                                   md5(? || ':user:' || i)::uuid, md5(? || ':vote:' || i)::uuid,
                                   timestamptz '2026-01-01 00:00:00Z' + make_interval(secs => i), '192.0.2.1'
                            FROM generate_series(0, ? - 1) AS i
                            """);
                    PreparedStatement questionVoters = db.prepareStatement(
                            """
                            INSERT INTO question_voters (question_id, user_id, vote_id)
                            SELECT ?, md5(? || ':user:' || i)::uuid, md5(? || ':vote:' || i)::uuid
                            FROM generate_series(0, ? - 1) AS i
                            """);
                    PreparedStatement pollVoters = db.prepareStatement(
                            """
                            INSERT INTO poll_voters (poll_id, user_id)
                            SELECT ?, md5(? || ':user:' || i)::uuid FROM generate_series(0, ? - 1) AS i
                            """);
                    PreparedStatement counts = db.prepareStatement(
                            """
                            WITH counted AS (
                                SELECT choice_id, count(*) AS n FROM responses WHERE poll_id = ? GROUP BY choice_id)
                            UPDATE choice_counts cc
                            SET count = coalesce((SELECT n FROM counted c WHERE c.choice_id = cc.choice_id), 0)
                            WHERE cc.poll_id = ?
                            """);
                    PreparedStatement questionCounts = db.prepareStatement(
                            """
                            INSERT INTO question_voter_counts (question_id, poll_id, voters)
                            SELECT q.question_id, q.poll_id,
                                   (SELECT count(*) FROM question_voters v WHERE v.question_id = q.question_id)
                            FROM questions q WHERE q.poll_id = ?
                            ON CONFLICT (question_id) DO UPDATE SET voters = EXCLUDED.voters
                            """);
                    PreparedStatement pollCounts = db.prepareStatement(
                            """
                            INSERT INTO poll_voter_counts (poll_id, voters)
                            SELECT ?, count(*) FROM poll_voters WHERE poll_id = ?
                            ON CONFLICT (poll_id) DO UPDATE SET voters = EXCLUDED.voters
                            """)) {
                for (Question question : poll.questions()) {
                    responses.setObject(1, poll.pollId());
                    responses.setObject(2, question.questionId());
                    responses.setArray(
                            3, db.createArrayOf("uuid", question.choiceIds().toArray()));
                    responses.setInt(4, question.choiceIds().size());
                    responses.setString(5, salt);
                    responses.setString(6, salt);
                    responses.setInt(7, voters);
                    inserted += responses.executeUpdate();
                    questionVoters.setObject(1, question.questionId());
                    questionVoters.setString(2, salt);
                    questionVoters.setString(3, salt);
                    questionVoters.setInt(4, voters);
                    questionVoters.executeUpdate();
                }
                pollVoters.setObject(1, poll.pollId());
                pollVoters.setString(2, salt);
                pollVoters.setInt(3, voters);
                pollVoters.executeUpdate();
                // one pass over the poll's responses: no index has them by choice (V8)
                counts.setObject(1, poll.pollId());
                counts.setObject(2, poll.pollId());
                counts.executeUpdate();
                questionCounts.setObject(1, poll.pollId());
                questionCounts.executeUpdate();
                pollCounts.setObject(1, poll.pollId());
                pollCounts.setObject(2, poll.pollId());
                pollCounts.executeUpdate();
            }
            db.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot record votes on test poll " + poll.pollId(), e);
        }
        return inserted;
    }

    /** Closes the poll now, as {@code POST /api/polls/{id}/close} does. */
    public void close(UUID pollId) {
        try (Connection db = connections.open();
                PreparedStatement close = db.prepareStatement(
                        "UPDATE polls SET closed_at = COALESCE(closed_at, now()) WHERE poll_id = ?")) {
            close.setObject(1, pollId);
            close.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot close test poll " + pollId, e);
        }
    }
}
