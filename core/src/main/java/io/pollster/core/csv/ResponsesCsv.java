package io.pollster.core.csv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A poll's recorded responses as CSV, streamed from PostgreSQL: the archive's {@code responses.csv} (every
 * column) and the API's {@code GET /api/polls/{id}/responses.csv} (the columns of docs/api.md) are this one
 * query and this one format, in {@code (submitted_at, response_id)} order, times as ISO-8601 UTC instants.
 */
public final class ResponsesCsv {

    /** A column of the {@code responses} table, in the CSV under the same name. */
    public enum Column {
        RESPONSE_ID("response_id"),
        VOTE_ID("vote_id"),
        QUESTION_ID("question_id"),
        CHOICE_ID("choice_id"),
        USER_ID("user_id"),
        SUBMITTED_AT("submitted_at"),
        IP_ADDRESS("ip_address");

        private final String name;

        Column(String name) {
            this.name = name;
        }

        public String columnName() {
            return name;
        }

        String value(ResultSet row) throws SQLException {
            if (this == SUBMITTED_AT) {
                return row.getObject(name, OffsetDateTime.class).toInstant().toString();
            }
            return row.getString(name);
        }
    }

    /** The archive's columns: everything PostgreSQL records of a response. */
    public static final List<Column> ARCHIVE = List.of(Column.values());

    /** The columns of {@code GET /api/polls/{poll_id}/responses.csv} (docs/api.md). */
    public static final List<Column> EXPORT =
            List.of(Column.RESPONSE_ID, Column.QUESTION_ID, Column.CHOICE_ID, Column.USER_ID, Column.SUBMITTED_AT);

    private ResponsesCsv() {}

    /**
     * Writes the header and then every response of the poll, as PostgreSQL returns them, and answers how
     * many rows it wrote. Memory stays constant only when {@code streaming} has a fetch size and this runs
     * inside a transaction: otherwise PostgreSQL's driver reads every row before the first is written.
     *
     * @param afterRow called with the number of rows written so far, after each row (progress, leases)
     */
    public static long write(
            JdbcTemplate streaming, UUID pollId, List<Column> columns, CsvWriter out, LongConsumer afterRow) {
        String[] values = new String[columns.size()];
        long[] rows = {0};
        try {
            out.row(columns.stream().map(Column::columnName).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        streaming.query(
                "SELECT " + columns.stream().map(Column::columnName).collect(Collectors.joining(", "))
                        + " FROM responses WHERE poll_id = ? ORDER BY submitted_at, response_id",
                rs -> {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = columns.get(i).value(rs);
                    }
                    try {
                        out.row(values);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    afterRow.accept(++rows[0]);
                },
                pollId);
        return rows[0];
    }
}
