package io.pollster.api.mine;

import io.pollster.api.mine.MyPollsPage.PollSummary;
import io.pollster.core.poll.ResultsVisibility;
import io.pollster.core.poll.Voters;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Reads a creator's polls a page at a time on {@code polls_creator_idx (creator_id, created_at DESC)}: the
 * page after a cursor is an index range scan from the cursor's {@code created_at} down, however many polls
 * the creator has, never an OFFSET. Polls created in the same microsecond are told apart by
 * {@code poll_id}, which the index does not hold: PostgreSQL sorts only each run of equal
 * {@code created_at} values (an incremental sort), and reads one row past the page to know whether
 * another page follows.
 */
@Service
class MyPolls {

    private static final String SELECT =
            """
            SELECT p.poll_id, p.unique_slug, p.creator_id, p.title, p.description,
                   p.created_at, p.closes_at, p.closed_at, p.voters, p.results_visibility,
                   coalesce((SELECT v.voters FROM poll_voter_counts v WHERE v.poll_id = p.poll_id), 0)
                       AS total_votes
            FROM polls p
            """;
    private static final String ORDER = " ORDER BY p.created_at DESC, p.poll_id DESC LIMIT :rows";

    /** The first page. Two statements, not one with an optional bound, so each keeps its own index plan. */
    static final String FIRST_PAGE_SQL = SELECT + "WHERE p.creator_id = :creator" + ORDER;

    /**
     * The page after a cursor: {@code created_at <= bound} is the index range, the rest breaks ties
     * within the bound's microsecond.
     */
    static final String NEXT_PAGE_SQL = SELECT
            + """
            WHERE p.creator_id = :creator AND p.created_at <= :after_created_at
              AND (p.created_at < :after_created_at OR p.poll_id < :after_poll_id)
            """
            + ORDER;

    private final JdbcClient jdbc;

    MyPolls(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    MyPollsPage page(UUID creatorId, Optional<MyPollsCursor> after, int limit) {
        JdbcClient.StatementSpec query = after.isEmpty()
                ? jdbc.sql(FIRST_PAGE_SQL)
                : jdbc.sql(NEXT_PAGE_SQL)
                        .param("after_created_at", after.get().createdAt().atOffset(ZoneOffset.UTC))
                        .param("after_poll_id", after.get().pollId());
        List<PollSummary> rows = query.param("creator", creatorId)
                .param("rows", limit + 1)
                .query((rs, n) -> summary(rs))
                .list();
        if (rows.size() <= limit) {
            return new MyPollsPage(rows, null);
        }
        List<PollSummary> page = rows.subList(0, limit);
        PollSummary last = page.get(limit - 1);
        return new MyPollsPage(page, new MyPollsCursor(last.createdAt(), last.pollId()).encode());
    }

    private static PollSummary summary(ResultSet rs) throws SQLException {
        return new PollSummary(
                rs.getObject("poll_id", UUID.class),
                rs.getString("unique_slug"),
                rs.getObject("creator_id", UUID.class),
                rs.getString("title"),
                rs.getString("description"),
                instant(rs, "created_at"),
                instant(rs, "closes_at"),
                instant(rs, "closed_at"),
                Voters.of(rs.getString("voters")).orElseThrow(),
                ResultsVisibility.of(rs.getString("results_visibility")).orElseThrow(),
                rs.getLong("total_votes"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
