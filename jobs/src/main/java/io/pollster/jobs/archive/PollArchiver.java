package io.pollster.jobs.archive;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.core.csv.CsvWriter;
import io.pollster.core.csv.ResponsesCsv;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsAssembler;
import io.pollster.core.results.ResultsReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Archives one closed poll: claims it in {@code poll_archives} (a lease, so with several instances one
 * works and the others skip it), streams its responses into a CSV file, writes the CSV and then
 * {@code poll.json} to the object store, and marks the archive done. Archiving again after a crash
 * rewrites the same keys with the same content, so the archive is idempotent end to end.
 */
@Component
class PollArchiver {

    /** What asked for an archive, recorded with it. */
    enum Trigger {
        STREAM,
        SWEEP;

        String column() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(PollArchiver.class);

    private final JdbcClient jdbc;
    private final JdbcTemplate streaming;
    private final TransactionTemplate snapshot;
    private final TransactionTemplate leaseRenewal;
    private final PollDefinitions polls;
    private final ObjectStore store;
    private final ArchiveProperties properties;
    private final Clock clock;
    private final Counter archived;
    private final Counter rowsArchived;

    PollArchiver(
            JdbcClient jdbc,
            DataSource dataSource,
            PlatformTransactionManager transactions,
            PollDefinitions polls,
            ObjectStore store,
            ArchiveProperties properties,
            Clock clock,
            MeterRegistry meters) {
        this.jdbc = jdbc;
        this.streaming = new JdbcTemplate(dataSource);
        // PostgreSQL streams a result set only inside a transaction with a fetch size; otherwise the
        // driver reads every row into memory first
        this.streaming.setFetchSize(properties.fetchSize());
        this.snapshot = new TransactionTemplate(transactions);
        // one snapshot for the responses and the counts, so the CSV and the final results agree
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.snapshot.setReadOnly(true);
        this.leaseRenewal = new TransactionTemplate(transactions);
        // committed at once, beside the long read-only snapshot
        this.leaseRenewal.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.polls = polls;
        this.store = store;
        this.properties = properties;
        this.clock = clock;
        this.archived = Counter.builder("pollster.jobs.polls.archived").register(meters);
        this.rowsArchived = Counter.builder("pollster.jobs.archive.responses")
                .description("Responses written to archives")
                .register(meters);
    }

    /** Archives the poll unless it is archived, being archived, or not closed. Returns whether it did. */
    boolean archive(UUID pollId, Trigger trigger) {
        Optional<Integer> claim = claim(pollId, trigger);
        if (claim.isEmpty()) {
            return false;
        }
        long started = System.nanoTime();
        Path work = null;
        try {
            PollDefinition poll = polls.findById(pollId).orElseThrow();
            work = Files.createTempDirectory("pollster-archive-");
            Path csv = work.resolve("responses.csv");
            Path json = work.resolve("poll.json");
            Snapshot written = writeSnapshot(poll, claim.get(), csv);
            PollArchive archive = new PollArchive(
                    PollArchive.FORMAT, clock.instant(), poll, written.results(), written.responseCount());
            PollsterJson.mapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), archive);
            String prefix = "polls/" + pollId + "/";
            // a multi-gigabyte upload keeps the lease too
            store.put(prefix + "responses.csv", csv, "text/csv; charset=utf-8", () -> extendLease(pollId, claim.get()));
            // written last: a poll.json means the archive is complete
            store.put(prefix + "poll.json", json, "application/json");
            finish(pollId, claim.get(), store.location(prefix), written.responseCount());
            archived.increment();
            log.info(
                    "Archived poll {} ({} responses) to {} in {} ms",
                    pollId,
                    written.responseCount(),
                    store.location(prefix),
                    (System.nanoTime() - started) / 1_000_000);
            return true;
        } catch (IOException | RuntimeException e) {
            release(pollId, claim.get());
            throw e instanceof IOException io
                    ? new UncheckedIOException("archiving poll " + pollId + " failed", io)
                    : (RuntimeException) e;
        } finally {
            deleteQuietly(work);
        }
    }

    /** Takes the poll's archive: a new row, or the expired lease of an instance that died archiving it. */
    private Optional<Integer> claim(UUID pollId, Trigger trigger) {
        return jdbc.sql(
                        """
                        INSERT INTO poll_archives (poll_id, status, lease_until, trigger)
                        SELECT poll_id, 'in_progress', now() + make_interval(secs => ?), ?
                        FROM polls WHERE poll_id = ? AND closed_at IS NOT NULL
                        ON CONFLICT (poll_id) DO UPDATE
                        SET attempts = poll_archives.attempts + 1,
                            lease_until = EXCLUDED.lease_until,
                            trigger = EXCLUDED.trigger,
                            started_at = now()
                        WHERE poll_archives.status = 'in_progress' AND poll_archives.lease_until < now()
                        RETURNING attempts
                        """)
                .params(seconds(properties.lease()), trigger.column(), pollId)
                .query(Integer.class)
                .optional();
    }

    private Snapshot writeSnapshot(PollDefinition poll, int attempt, Path csv) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            return snapshot.execute(status -> {
                // choice and voter counters, as the read path shows them: exact totals for multi-choice polls
                Results results = ResultsAssembler.assemble(poll, ResultsReader.fromPostgres(jdbc, poll), true);
                long rows = writeResponses(poll.pollId(), attempt, out);
                return new Snapshot(results, rows);
            });
        }
    }

    private long writeResponses(UUID pollId, int attempt, Writer out) {
        long rows = ResponsesCsv.write(streaming, pollId, ResponsesCsv.ARCHIVE, new CsvWriter(out), written -> {
            if (written % properties.progressEvery() == 0) {
                log.info("Archiving poll {}: {} responses written", pollId, written);
                extendLease(pollId, attempt);
            }
        });
        rowsArchived.increment(rows);
        return rows;
    }

    // a long archive keeps its lease, so no other instance starts the same poll over
    private void extendLease(UUID pollId, int attempt) {
        leaseRenewal.executeWithoutResult(status -> jdbc.sql(
                        """
                        UPDATE poll_archives SET lease_until = now() + make_interval(secs => ?)
                        WHERE poll_id = ? AND attempts = ? AND status = 'in_progress'
                        """)
                .params(seconds(properties.lease()), pollId, attempt)
                .update());
    }

    // a failed attempt gives its lease back at once, so a retry (stream reclaim or sweep) need not wait
    private void release(UUID pollId, int attempt) {
        try {
            jdbc.sql(
                            """
                            UPDATE poll_archives SET lease_until = now()
                            WHERE poll_id = ? AND attempts = ? AND status = 'in_progress'
                            """)
                    .params(pollId, attempt)
                    .update();
        } catch (RuntimeException e) {
            log.warn("Could not release the archive lease of poll {}; it expires on its own", pollId, e);
        }
    }

    private void finish(UUID pollId, int attempt, String location, long responseCount) {
        int updated = jdbc.sql(
                        """
                        UPDATE poll_archives
                        SET status = 'archived', location = ?, response_count = ?, archived_at = now()
                        WHERE poll_id = ? AND attempts = ? AND status = 'in_progress'
                        """)
                .params(location, responseCount, pollId, attempt)
                .update();
        if (updated == 0) {
            // our lease expired and another instance took over: it writes the same objects and records
            log.warn("Archive of poll {} was taken over by another instance before it finished", pollId);
        }
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            log.warn("Could not delete temporary archive files in {}", dir, e);
        }
    }

    private record Snapshot(Results results, long responseCount) {}
}
