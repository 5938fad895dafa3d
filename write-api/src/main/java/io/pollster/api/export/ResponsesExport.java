package io.pollster.api.export;

import io.pollster.core.csv.CsvWriter;
import io.pollster.core.csv.ResponsesCsv;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Streams a poll's responses as CSV to an output stream, row by row as PostgreSQL sends them: a server-side
 * cursor ({@code fetch-size} rows at a time) inside one read-only, repeatable-read transaction, so memory
 * stays constant however many responses there are, and the file is one consistent snapshot even while
 * votes keep arriving.
 */
@Component
class ResponsesExport {

    private static final int BUFFER_CHARS = 64 * 1024;

    private final JdbcTemplate streaming;
    private final TransactionTemplate snapshot;

    ResponsesExport(DataSource dataSource, PlatformTransactionManager transactions, ExportProperties properties) {
        this.streaming = new JdbcTemplate(dataSource);
        // PostgreSQL streams a result set only inside a transaction with a fetch size; otherwise the
        // driver reads every row into memory first
        this.streaming.setFetchSize(properties.fetchSize());
        this.snapshot = new TransactionTemplate(transactions);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.snapshot.setReadOnly(true);
    }

    /** Writes the CSV of docs/api.md's columns and answers the number of responses written. */
    long write(UUID pollId, OutputStream target) {
        Long rows = snapshot.execute(status -> {
            Writer out = new BufferedWriter(new OutputStreamWriter(target, StandardCharsets.UTF_8), BUFFER_CHARS);
            long written = ResponsesCsv.write(streaming, pollId, ResponsesCsv.EXPORT, new CsvWriter(out), n -> {});
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return written;
        });
        return rows;
    }
}
