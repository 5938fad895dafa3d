package io.pollster.core.poll;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Reads {@link PollDefinition}s from PostgreSQL, by id or by slug. */
public class PollDefinitions {

    private static final String POLL_COLUMNS =
            "poll_id, unique_slug, creator_id, title, description, created_at, closes_at, closed_at, voters,"
                    + " results_visibility";

    private final JdbcClient jdbc;

    public PollDefinitions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<PollDefinition> findById(UUID pollId) {
        return jdbc.sql("SELECT " + POLL_COLUMNS + " FROM polls WHERE poll_id = ?")
                .param(pollId)
                .query((rs, n) -> poll(rs))
                .optional()
                .map(this::withQuestions);
    }

    public Optional<PollDefinition> findBySlug(String slug) {
        return jdbc.sql("SELECT " + POLL_COLUMNS + " FROM polls WHERE unique_slug = ?")
                .param(slug)
                .query((rs, n) -> poll(rs))
                .optional()
                .map(this::withQuestions);
    }

    /** API paths take either a poll id or its slug. */
    public Optional<PollDefinition> findByIdOrSlug(String idOrSlug) {
        return parseUuid(idOrSlug).map(this::findById).orElseGet(() -> findBySlug(idOrSlug));
    }

    public static Optional<UUID> parseUuid(String text) {
        if (text == null || text.length() != 36) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException notAnId) {
            return Optional.empty();
        }
    }

    private PollDefinition withQuestions(PollDefinition poll) {
        Map<UUID, QuestionRow> questions = new LinkedHashMap<>();
        jdbc.sql(
                        """
                        SELECT q.question_id, q.question_text, q."order", q.min_choices, q.max_choices, c.choice_id,
                            c.choice_text
                        FROM questions q JOIN choices c ON c.question_id = q.question_id
                        WHERE q.poll_id = ?
                        ORDER BY q."order", c.position
                        """)
                .param(poll.pollId())
                .query(rs -> {
                    UUID questionId = rs.getObject("question_id", UUID.class);
                    questions
                            .computeIfAbsent(
                                    questionId,
                                    id -> new QuestionRow(
                                            id,
                                            text(rs, "question_text"),
                                            integer(rs, "order"),
                                            integer(rs, "min_choices"),
                                            integer(rs, "max_choices")))
                            .choices()
                            .add(new PollDefinition.Choice(
                                    rs.getObject("choice_id", UUID.class), rs.getString("choice_text")));
                });
        List<PollDefinition.Question> list = questions.values().stream()
                .map(q -> new PollDefinition.Question(
                        q.questionId(), q.text(), q.order(), q.minChoices(), q.maxChoices(), q.choices()))
                .toList();
        return new PollDefinition(
                poll.pollId(),
                poll.slug(),
                poll.creatorId(),
                poll.title(),
                poll.description(),
                poll.createdAt(),
                poll.closesAt(),
                poll.closedAt(),
                poll.voters(),
                poll.resultsVisibility(),
                list);
    }

    private static PollDefinition poll(ResultSet rs) throws SQLException {
        return new PollDefinition(
                rs.getObject("poll_id", UUID.class),
                rs.getString("unique_slug"),
                rs.getObject("creator_id", UUID.class),
                rs.getString("title"),
                rs.getString("description"),
                instant(rs, "created_at"),
                instant(rs, "closes_at"),
                instant(rs, "closed_at"),
                setting(Voters.of(rs.getString("voters")), "voters"),
                setting(ResultsVisibility.of(rs.getString("results_visibility")), "results_visibility"),
                List.of());
    }

    private static <T> T setting(Optional<T> value, String column) {
        // the column's CHECK constraint allows only known values
        return value.orElseThrow(() -> new IllegalStateException("unknown polls." + column));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }

    private static String text(ResultSet rs, String column) {
        try {
            return rs.getString(column);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int integer(ResultSet rs, String column) {
        try {
            return rs.getInt(column);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private record QuestionRow(
            UUID questionId,
            String text,
            int order,
            int minChoices,
            int maxChoices,
            List<PollDefinition.Choice> choices) {
        QuestionRow(UUID questionId, String text, int order, int minChoices, int maxChoices) {
            this(questionId, text, order, minChoices, maxChoices, new ArrayList<>());
        }
    }
}
