package io.pollster.api.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pollster.core.events.VoteEvent;
import io.pollster.core.stream.RefusedEntryException;
import io.pollster.core.vote.VoteIds;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
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
 * Writes a batch of vote events to PostgreSQL in ONE transaction (multi-row INSERT … ON CONFLICT DO
 * NOTHING RETURNING, never COPY: docs/design.md):
 *
 * <ol>
 *   <li>the voter guards, one row per (question, voter): the first vote to take a question's guard owns
 *       it; any other vote answering that question for that voter is rejected, whatever Redis said;
 *   <li>the responses of the guard owners, one per chosen choice;
 *   <li>the poll's voters, one row per (poll, voter), for voters who took their first guard;
 *   <li>the counters of exactly what was inserted: {@code choice_counts}, {@code question_voter_counts},
 *       {@code poll_voter_counts};
 *   <li>the rejections.
 * </ol>
 *
 * Replaying a batch changes nothing: a response's id is derived from (vote, question, choice), so a
 * replayed entry conflicts on the primary key and is neither counted again nor taken for a rejection
 * (its vote owns the guard). The answers of one vote may be split across two batches: the second finds
 * its own vote owning the guard and adds its responses. Every statement locks rows in key order, and the
 * statements run in the same order in every batch, so two batches never deadlock.
 *
 * <p>{@code responses} has no foreign keys (migration V8): each would check and {@code FOR KEY SHARE}-lock
 * a parent row per inserted row, the same hot poll, question and choice rows from every concurrent batch.
 * This writer keeps that integrity instead, and a stronger form of it: before anything is written, every
 * entry must name a choice of a question of its poll, or the batch is refused ({@link
 * RefusedEntryException}: bisected down to the entry, which counts a try and is dead-lettered). Choices
 * are never deleted and never move, so a choice once read from PostgreSQL is remembered for good.
 */
@Component
class VoteBatchWriter {

    static final String ALREADY_VOTED = "already-voted: the user had already answered question %s in another vote";
    static final String BAD_REFERENCE = "vote %s names choice %s, which is not a choice of question %s of poll %s";
    /** Choices remembered: a hot poll has a few; 50,000 choices are a few megabytes. */
    private static final int REMEMBERED_CHOICES = 50_000;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    /** A choice's question and poll, as PostgreSQL has them: fixed once the poll is created. */
    private final Cache<UUID, ChoiceOf> choices =
            Caffeine.newBuilder().maximumSize(REMEMBERED_CHOICES).build();

    VoteBatchWriter(JdbcTemplate jdbc, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    /**
     * The primary key of the response an answer becomes: the same for every replay of the entry, and
     * time-ordered like its vote id, so a batch's rows append to the primary key's B-tree instead of
     * landing on random pages.
     *
     * <p>For a version 7 vote id ({@link VoteIds}): a version 8 UUID of the vote id's 48-bit millisecond,
     * then 74 bits of {@code UUID.nameUUIDFromBytes(vote_id ‖ question_id ‖ choice_id)} (MD5), the RFC 9562
     * variant. For any other vote id (minted before vote ids were time-ordered, so it may already have
     * rows): that name-based UUID itself, as it has always been, so an entry replayed across the upgrade
     * conflicts with the row it wrote before.
     */
    static UUID responseId(UUID voteId, UUID questionId, UUID choiceId) {
        ByteBuffer bytes = ByteBuffer.allocate(48);
        bytes.putLong(voteId.getMostSignificantBits()).putLong(voteId.getLeastSignificantBits());
        bytes.putLong(questionId.getMostSignificantBits()).putLong(questionId.getLeastSignificantBits());
        bytes.putLong(choiceId.getMostSignificantBits()).putLong(choiceId.getLeastSignificantBits());
        UUID named = UUID.nameUUIDFromBytes(bytes.array());
        if (!VoteIds.isTimeOrdered(voteId)) {
            return named;
        }
        long msb = (voteId.getMostSignificantBits() & 0xFFFF_FFFF_FFFF_0000L)
                | 0x8000L
                | (named.getMostSignificantBits() & 0x0FFFL);
        // nameUUIDFromBytes already set the RFC 9562 variant in the low half
        return new UUID(msb, named.getLeastSignificantBits());
    }

    Outcome write(List<VoteEvent> events) {
        // one row per response id: an entry delivered twice in one batch must not be counted twice
        Map<UUID, VoteEvent> byResponse = new LinkedHashMap<>();
        for (VoteEvent event : events) {
            byResponse.putIfAbsent(responseId(event.voteId(), event.questionId(), event.choiceId()), event);
        }
        // the first vote in stream order claims a (question, voter) for this batch; a later vote of the same
        // voter on the same question in this batch can only be rejected
        Map<Guard, UUID> claims = new TreeMap<>();
        byResponse.values().forEach(e -> claims.putIfAbsent(Guard.of(e), e.voteId()));
        requireKnownChoices(byResponse.values());
        return transaction.execute(status -> {
            Set<Guard> taken = insertGuards(claims);
            Map<Guard, UUID> owners = owners(claims, taken);
            List<Map.Entry<UUID, VoteEvent>> accepted = new ArrayList<>();
            List<VoteEvent> rejected = new ArrayList<>();
            for (Map.Entry<UUID, VoteEvent> row : byResponse.entrySet()) {
                VoteEvent e = row.getValue();
                if (e.voteId().equals(owners.get(Guard.of(e)))) {
                    accepted.add(row);
                } else {
                    rejected.add(e);
                }
            }
            Set<UUID> inserted = insertResponses(accepted);
            Set<PollVoter> newPollVoters = insertPollVoters(taken, accepted);
            addToChoiceCounts(accepted, inserted);
            addToVoterCounts(taken, newPollVoters, accepted);
            insertRejections(rejected, null);
            return new Outcome(inserted.size(), rejected.size(), accepted.size() - inserted.size());
        });
    }

    /** Records entries the ingester gave up on as rejected votes, so their status says so. */
    void recordDeadLetters(List<VoteEvent> events, String reason) {
        transaction.executeWithoutResult(status -> insertRejections(events, "dead-lettered: " + reason));
    }

    /**
     * Refuses the batch unless every entry names a choice of a question of its poll: what the foreign keys
     * of {@code responses} checked before V8 (each id existing), and that the three belong together.
     */
    private void requireKnownChoices(Collection<VoteEvent> events) {
        Map<UUID, ChoiceOf> known = new HashMap<>();
        Set<UUID> unknown = new HashSet<>();
        for (VoteEvent e : events) {
            ChoiceOf of = choices.getIfPresent(e.choiceId());
            if (of != null) {
                known.put(e.choiceId(), of);
            } else {
                unknown.add(e.choiceId());
            }
        }
        if (!unknown.isEmpty()) {
            jdbc.query(
                    """
                    SELECT c.choice_id, c.question_id, q.poll_id
                    FROM choices c JOIN questions q ON q.question_id = c.question_id
                    WHERE c.choice_id = ANY (?)
                    """,
                    ps -> ps.setArray(1, ps.getConnection().createArrayOf("uuid", unknown.toArray())),
                    rs -> {
                        UUID choiceId = rs.getObject(1, UUID.class);
                        ChoiceOf of = new ChoiceOf(rs.getObject(2, UUID.class), rs.getObject(3, UUID.class));
                        known.put(choiceId, of);
                        choices.put(choiceId, of);
                    });
        }
        for (VoteEvent e : events) {
            ChoiceOf of = known.get(e.choiceId());
            if (of == null
                    || !of.questionId().equals(e.questionId())
                    || !of.pollId().equals(e.pollId())) {
                throw new RefusedEntryException(
                        BAD_REFERENCE.formatted(e.voteId(), e.choiceId(), e.questionId(), e.pollId()));
            }
        }
    }

    /** Inserts the claimed guards, in key order; returns those this batch took (not held before). */
    private Set<Guard> insertGuards(Map<Guard, UUID> claims) {
        if (claims.isEmpty()) {
            return Set.of();
        }
        StringBuilder sql = new StringBuilder("INSERT INTO question_voters (question_id, user_id, vote_id) VALUES ");
        appendRows(sql, claims.size(), "(?,?,?)");
        sql.append(" ON CONFLICT DO NOTHING RETURNING question_id, user_id");
        Set<Guard> taken = new HashSet<>(claims.size() * 2);
        jdbc.query(
                sql.toString(),
                ps -> {
                    int p = 1;
                    for (Map.Entry<Guard, UUID> claim : claims.entrySet()) {
                        ps.setObject(p++, claim.getKey().questionId());
                        ps.setObject(p++, claim.getKey().userId());
                        ps.setObject(p++, claim.getValue());
                    }
                },
                rs -> {
                    taken.add(new Guard(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)));
                });
        return taken;
    }

    /**
     * The vote owning each claimed guard: this batch's claim where it took the guard, otherwise the vote that
     * took it before (the same vote when this is a replay or the rest of a vote split across batches).
     */
    private Map<Guard, UUID> owners(Map<Guard, UUID> claims, Set<Guard> taken) {
        Map<Guard, UUID> owners = new HashMap<>(claims.size() * 2);
        List<Guard> held = new ArrayList<>();
        claims.forEach((guard, vote) -> {
            if (taken.contains(guard)) {
                owners.put(guard, vote);
            } else {
                held.add(guard);
            }
        });
        if (held.isEmpty()) {
            return owners;
        }
        UUID[] questions = held.stream().map(Guard::questionId).toArray(UUID[]::new);
        UUID[] users = held.stream().map(Guard::userId).toArray(UUID[]::new);
        jdbc.query(
                """
                SELECT v.question_id, v.user_id, v.vote_id
                FROM question_voters v
                JOIN unnest(?::uuid[], ?::uuid[]) AS h (question_id, user_id)
                  ON v.question_id = h.question_id AND v.user_id = h.user_id
                """,
                ps -> {
                    ps.setArray(1, ps.getConnection().createArrayOf("uuid", questions));
                    ps.setArray(2, ps.getConnection().createArrayOf("uuid", users));
                },
                rs -> {
                    owners.put(
                            new Guard(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)),
                            rs.getObject(3, UUID.class));
                });
        return owners;
    }

    private Set<UUID> insertResponses(List<Map.Entry<UUID, VoteEvent>> accepted) {
        if (accepted.isEmpty()) {
            return Set.of();
        }
        // rows in (question, voter, choice) order: the order of the UNIQUE index two batches might share
        List<Map.Entry<UUID, VoteEvent>> rows = new ArrayList<>(accepted);
        rows.sort(Comparator.comparing(
                        (Map.Entry<UUID, VoteEvent> row) -> row.getValue().questionId())
                .thenComparing(row -> row.getValue().userId())
                .thenComparing(row -> row.getValue().choiceId()));
        StringBuilder sql = new StringBuilder(
                "INSERT INTO responses (response_id, poll_id, question_id, choice_id, user_id, vote_id, submitted_at, ip_address) VALUES ");
        appendRows(sql, rows.size(), "(?,?,?,?,?,?,?,?)");
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

    /** The (poll, voter) rows of voters who took a guard in this batch; returns those new to their poll. */
    private Set<PollVoter> insertPollVoters(Set<Guard> taken, List<Map.Entry<UUID, VoteEvent>> accepted) {
        TreeMap<PollVoter, Boolean> candidates = new TreeMap<>();
        for (Map.Entry<UUID, VoteEvent> row : accepted) {
            VoteEvent e = row.getValue();
            if (taken.contains(Guard.of(e))) {
                candidates.put(new PollVoter(e.pollId(), e.userId()), Boolean.TRUE);
            }
        }
        if (candidates.isEmpty()) {
            return Set.of();
        }
        StringBuilder sql = new StringBuilder("INSERT INTO poll_voters (poll_id, user_id) VALUES ");
        appendRows(sql, candidates.size(), "(?,?)");
        sql.append(" ON CONFLICT DO NOTHING RETURNING poll_id, user_id");
        Set<PollVoter> inserted = new HashSet<>(candidates.size() * 2);
        jdbc.query(
                sql.toString(),
                ps -> {
                    int p = 1;
                    for (PollVoter voter : candidates.keySet()) {
                        ps.setObject(p++, voter.pollId());
                        ps.setObject(p++, voter.userId());
                    }
                },
                rs -> {
                    inserted.add(new PollVoter(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)));
                });
        return inserted;
    }

    /** Adds the inserted rows to their choices' counters, in choice id order so batches never deadlock. */
    private void addToChoiceCounts(List<Map.Entry<UUID, VoteEvent>> accepted, Set<UUID> inserted) {
        TreeMap<UUID, Increment> increments = new TreeMap<>();
        for (Map.Entry<UUID, VoteEvent> row : accepted) {
            if (inserted.contains(row.getKey())) {
                VoteEvent e = row.getValue();
                increments.merge(e.choiceId(), new Increment(e.pollId(), e.questionId(), 1), Increment::plus);
            }
        }
        // an upsert, so a counter row missing for any reason is created rather than the count lost
        upsert(
                """
                INSERT INTO choice_counts (choice_id, poll_id, question_id, count) VALUES (?, ?, ?, ?)
                ON CONFLICT (choice_id) DO UPDATE SET count = choice_counts.count + EXCLUDED.count
                """,
                increments,
                (ps, entry) -> {
                    ps.setObject(1, entry.getKey());
                    ps.setObject(2, entry.getValue().pollId());
                    ps.setObject(3, entry.getValue().questionId());
                    ps.setLong(4, entry.getValue().count());
                });
    }

    /** The voters of each question (guards taken) and of each poll (first guards of a voter in a poll). */
    private void addToVoterCounts(
            Set<Guard> taken, Set<PollVoter> newPollVoters, List<Map.Entry<UUID, VoteEvent>> accepted) {
        Map<UUID, UUID> pollOfQuestion = new HashMap<>();
        accepted.forEach(row ->
                pollOfQuestion.put(row.getValue().questionId(), row.getValue().pollId()));
        TreeMap<UUID, Increment> questions = new TreeMap<>();
        for (Guard guard : taken) {
            UUID pollId = pollOfQuestion.get(guard.questionId());
            if (pollId != null) {
                questions.merge(guard.questionId(), new Increment(pollId, guard.questionId(), 1), Increment::plus);
            }
        }
        upsert(
                """
                INSERT INTO question_voter_counts (question_id, poll_id, voters) VALUES (?, ?, ?)
                ON CONFLICT (question_id) DO UPDATE SET voters = question_voter_counts.voters + EXCLUDED.voters
                """,
                questions,
                (ps, entry) -> {
                    ps.setObject(1, entry.getKey());
                    ps.setObject(2, entry.getValue().pollId());
                    ps.setLong(3, entry.getValue().count());
                });
        TreeMap<UUID, Long> polls = new TreeMap<>();
        newPollVoters.forEach(voter -> polls.merge(voter.pollId(), 1L, Long::sum));
        upsert(
                """
                INSERT INTO poll_voter_counts (poll_id, voters) VALUES (?, ?)
                ON CONFLICT (poll_id) DO UPDATE SET voters = poll_voter_counts.voters + EXCLUDED.voters
                """,
                polls,
                (ps, entry) -> {
                    ps.setObject(1, entry.getKey());
                    ps.setLong(2, entry.getValue());
                });
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

    private <K, V> void upsert(String sql, TreeMap<K, V> rows, RowSetter<Map.Entry<K, V>> setter) {
        if (rows.isEmpty()) {
            return;
        }
        List<Map.Entry<K, V>> ordered = new ArrayList<>(rows.entrySet());
        jdbc.batchUpdate(sql, new BatchPreparedStatementSetter() {
            @Override
            public void setValues(PreparedStatement ps, int i) throws SQLException {
                setter.set(ps, ordered.get(i));
            }

            @Override
            public int getBatchSize() {
                return ordered.size();
            }
        });
    }

    private static void appendRows(StringBuilder sql, int rows, String row) {
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ",").append(row);
        }
    }

    @FunctionalInterface
    private interface RowSetter<T> {
        void set(PreparedStatement ps, T row) throws SQLException;
    }

    /** What a batch did: rows inserted, answers rejected, entries that were replays of recorded ones. */
    record Outcome(int inserted, int rejected, int replayed) {}

    /** A (question, voter) pair: the unit that may be answered once. Ordered as the primary key. */
    private record Guard(UUID questionId, UUID userId) implements Comparable<Guard> {
        private static final Comparator<Guard> ORDER =
                Comparator.comparing(Guard::questionId).thenComparing(Guard::userId);

        static Guard of(VoteEvent event) {
            return new Guard(event.questionId(), event.userId());
        }

        @Override
        public int compareTo(Guard other) {
            return ORDER.compare(this, other);
        }
    }

    private record PollVoter(UUID pollId, UUID userId) implements Comparable<PollVoter> {
        private static final Comparator<PollVoter> ORDER =
                Comparator.comparing(PollVoter::pollId).thenComparing(PollVoter::userId);

        @Override
        public int compareTo(PollVoter other) {
            return ORDER.compare(this, other);
        }
    }

    private record ChoiceOf(UUID questionId, UUID pollId) {}

    private record Increment(UUID pollId, UUID questionId, long count) {
        Increment plus(Increment more) {
            return new Increment(pollId, questionId, count + more.count());
        }
    }
}
