package io.pollster.api.ingest;

import io.pollster.core.events.VoteEvent;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes a batch of vote events to PostgreSQL in ONE transaction: the responses (multi-row INSERT …
 * ON CONFLICT DO NOTHING RETURNING, never COPY: docs/design.md), the counters of exactly the rows inserted,
 * and the rejections of answers PostgreSQL refused. Replaying a batch changes nothing: a response's
 * id is derived from (vote_id, question_id), so a replayed entry conflicts on the primary key and is
 * neither counted again nor mistaken for a rejection.
 */
@Component
class VoteBatchWriter {

    static final String ALREADY_VOTED = "already-voted: the user had already answered question %s in another vote";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    VoteBatchWriter(JdbcTemplate jdbc, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    /** The primary key of the response an answer becomes: the same for every replay of the entry. */
    static UUID responseId(UUID voteId, UUID questionId) {
        ByteBuffer bytes = ByteBuffer.allocate(32);
        bytes.putLong(voteId.getMostSignificantBits()).putLong(voteId.getLeastSignificantBits());
        bytes.putLong(questionId.getMostSignificantBits()).putLong(questionId.getLeastSignificantBits());
        return UUID.nameUUIDFromBytes(bytes.array());
    }

    Outcome write(List<VoteEvent> events) {
        // one row per response id: an entry delivered twice in one batch must not be counted twice
        Map<UUID, VoteEvent> byResponse = new LinkedHashMap<>();
        for (VoteEvent event : events) {
            byResponse.putIfAbsent(responseId(event.voteId(), event.questionId()), event);
        }
        // rows in (question, user) order: two batches that collide on the UNIQUE index wait for each
        // other in the same order, so they cannot deadlock
        List<Map.Entry<UUID, VoteEvent>> rows = new ArrayList<>(byResponse.entrySet());
        rows.sort(Comparator.comparing(
                        (Map.Entry<UUID, VoteEvent> row) -> row.getValue().questionId())
                .thenComparing(row -> row.getValue().userId()));
        return transaction.execute(status -> {
            Set<UUID> inserted = insertResponses(rows);
            addToCounters(rows, inserted);
            int rejected = recordRejections(rows, inserted);
            return new Outcome(inserted.size(), rejected, rows.size() - inserted.size() - rejected);
        });
    }

    /** Records entries the ingester gave up on as rejected votes, so their status says so. */
    void recordDeadLetters(List<VoteEvent> events, String reason) {
        transaction.executeWithoutResult(status -> insertRejections(events, "dead-lettered: " + reason));
    }

    private Set<UUID> insertResponses(List<Map.Entry<UUID, VoteEvent>> rows) {
        StringBuilder sql = new StringBuilder(
                "INSERT INTO responses (response_id, poll_id, question_id, choice_id, user_id, vote_id, submitted_at, ip_address) VALUES ");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "(?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?)");
        }
        sql.append(" ON CONFLICT DO NOTHING RETURNING response_id");
        Set<UUID> inserted = new HashSet<>(rows.size() * 2);
        jdbc.query(
                sql.toString(),
                ps -> {
                    int p = 1;
                    for (Map.Entry<UUID, VoteEvent> row : rows) {
                        VoteEvent e = row.getValue();
                        ps.setObject(p++, row.getKey());
                        ps.setObject(p++, e.pollId());
                        ps.setObject(p++, e.questionId());
                        ps.setObject(p++, e.choiceId());
                        ps.setObject(p++, e.userId());
                        ps.setObject(p++, e.voteId());
                        ps.setObject(p++, e.submittedAt().atOffset(ZoneOffset.UTC));
                        ps.setString(p++, e.ipAddress());
                    }
                },
                rs -> {
                    inserted.add(rs.getObject(1, UUID.class));
                });
        return inserted;
    }

    /** Adds the inserted rows to their choices' counters, in choice id order so batches never deadlock. */
    private void addToCounters(List<Map.Entry<UUID, VoteEvent>> rows, Set<UUID> inserted) {
        TreeMap<UUID, Increment> increments = new TreeMap<>();
        for (Map.Entry<UUID, VoteEvent> row : rows) {
            if (inserted.contains(row.getKey())) {
                VoteEvent e = row.getValue();
                increments.merge(
                        e.choiceId(), new Increment(e.pollId(), e.questionId(), 1), (a, b) -> a.plus(b.count()));
            }
        }
        if (increments.isEmpty()) {
            return;
        }
        List<Map.Entry<UUID, Increment>> ordered = new ArrayList<>(increments.entrySet());
        // an upsert, so a counter row missing for any reason is created rather than the count lost
        jdbc.batchUpdate(
                """
                INSERT INTO choice_counts (choice_id, poll_id, question_id, count) VALUES (?, ?, ?, ?)
                ON CONFLICT (choice_id) DO UPDATE SET count = choice_counts.count + EXCLUDED.count
                """,
                new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        Map.Entry<UUID, Increment> entry = ordered.get(i);
                        ps.setObject(1, entry.getKey());
                        ps.setObject(2, entry.getValue().pollId());
                        ps.setObject(3, entry.getValue().questionId());
                        ps.setLong(4, entry.getValue().count());
                    }

                    @Override
                    public int getBatchSize() {
                        return ordered.size();
                    }
                });
    }

    /**
     * Of the rows not inserted, those whose response already exists are replays (already recorded);
     * the others collided with another vote of the same user on the UNIQUE constraint: rejected.
     */
    private int recordRejections(List<Map.Entry<UUID, VoteEvent>> rows, Set<UUID> inserted) {
        List<Map.Entry<UUID, VoteEvent>> notInserted =
                rows.stream().filter(row -> !inserted.contains(row.getKey())).toList();
        if (notInserted.isEmpty()) {
            return 0;
        }
        UUID[] ids = notInserted.stream().map(Map.Entry::getKey).toArray(UUID[]::new);
        Set<UUID> replayed = new HashSet<>(jdbc.query(
                "SELECT response_id FROM responses WHERE response_id = ANY (?)",
                ps -> ps.setArray(1, ps.getConnection().createArrayOf("uuid", ids)),
                (rs, n) -> rs.getObject(1, UUID.class)));
        List<VoteEvent> rejected = notInserted.stream()
                .filter(row -> !replayed.contains(row.getKey()))
                .map(Map.Entry::getValue)
                .toList();
        insertRejections(rejected, null);
        return rejected.size();
    }

    private void insertRejections(List<VoteEvent> events, String reason) {
        if (events.isEmpty()) {
            return;
        }
        jdbc.batchUpdate(
                """
                INSERT INTO vote_rejections (vote_id, question_id, poll_id, choice_id, user_id, reason)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """,
                new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        VoteEvent e = events.get(i);
                        ps.setObject(1, e.voteId());
                        ps.setObject(2, e.questionId());
                        ps.setObject(3, e.pollId());
                        ps.setObject(4, e.choiceId());
                        ps.setObject(5, e.userId());
                        ps.setString(6, reason != null ? reason : ALREADY_VOTED.formatted(e.questionId()));
                    }

                    @Override
                    public int getBatchSize() {
                        return events.size();
                    }
                });
    }

    /** What a batch did: rows inserted, answers rejected, entries that were replays of recorded ones. */
    record Outcome(int inserted, int rejected, int replayed) {}

    private record Increment(UUID pollId, UUID questionId, long count) {
        Increment plus(long more) {
            return new Increment(pollId, questionId, count + more);
        }
    }
}
