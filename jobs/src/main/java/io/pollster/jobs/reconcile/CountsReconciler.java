package io.pollster.jobs.reconcile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.core.results.CountsStore;
import io.pollster.jobs.runtime.PeriodicJob;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Compares the Redis counts of every poll, open or closed, with {@code choice_counts} and repairs drift through
 * {@link CountsStore#keepGreater}, the one write path into the counts: a repair can never lower a count
 * the projector has meanwhile raised.
 *
 * <p>Redis trails PostgreSQL by the projector's lag, so one look would report every vote in flight. A
 * choice is drift only when Redis is still below the count PostgreSQL had one round earlier. Polls with
 * no counts in Redis are not drift: they are not cached, and the read path rebuilds them on demand.
 *
 * <p>Closed polls are compared too: they get no more votes, so nothing else would ever correct counts
 * that Redis lost for them (an old backup restored, a projection lost in a Redis crash). A poll costs
 * one Redis read per round, and a PostgreSQL query only when its counts are cached.
 */
@Component
class CountsReconciler implements PeriodicJob {

    private static final Logger log = LoggerFactory.getLogger(CountsReconciler.class);

    private final JdbcClient jdbc;
    private final CountsStore counts;
    private final ReconcileProperties properties;
    private final AtomicLong lastRoundDrift = new AtomicLong();
    private final Counter repaired;
    private final Counter rounds;
    // choices found behind in the previous round, with the PostgreSQL count they were behind
    private Map<UUID, Map<UUID, Long>> suspects = Map.of();

    CountsReconciler(JdbcClient jdbc, CountsStore counts, ReconcileProperties properties, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.counts = counts;
        this.properties = properties;
        Gauge.builder("pollster.jobs.reconcile.drift", lastRoundDrift, AtomicLong::get)
                .description("Votes Redis was missing in the last reconciliation round; should stay 0")
                .register(meters);
        this.repaired = Counter.builder("pollster.jobs.reconcile.repaired")
                .description("Votes of drift repaired in Redis since start")
                .register(meters);
        this.rounds = Counter.builder("pollster.jobs.reconcile.rounds").register(meters);
    }

    @Override
    public String name() {
        return "counts-reconcile";
    }

    @Override
    public boolean enabled() {
        return properties.enabled();
    }

    @Override
    public Duration interval() {
        return properties.interval();
    }

    @Override
    public synchronized void runOnce() {
        Map<UUID, Map<UUID, Long>> behindNow = new HashMap<>();
        long drift = 0;
        // PostgreSQL orders UUIDs as unsigned bytes, so the nil UUID is below every poll id there
        // (Java's smallest UUID, 8000…, is in the middle of PostgreSQL's order and skipped half the polls)
        UUID after = new UUID(0, 0);
        List<UUID> page;
        do {
            page = polls(after);
            for (UUID pollId : page) {
                drift += reconcile(pollId, behindNow);
            }
            if (!page.isEmpty()) {
                after = page.get(page.size() - 1);
            }
        } while (page.size() == properties.batchSize());
        suspects = behindNow;
        lastRoundDrift.set(drift);
        rounds.increment();
        if (drift > 0) {
            log.warn("Reconciliation repaired a drift of {} votes in Redis", drift);
        }
    }

    private List<UUID> polls(UUID after) {
        // UUIDs compare differently in Java and PostgreSQL: page with PostgreSQL's order throughout
        return jdbc.sql("SELECT poll_id FROM polls WHERE poll_id > ? ORDER BY poll_id LIMIT ?")
                .params(after, properties.batchSize())
                .query(UUID.class)
                .list();
    }

    /** Returns the votes of confirmed drift repaired for this poll. */
    private long reconcile(UUID pollId, Map<UUID, Map<UUID, Long>> behindNow) {
        // Redis first: a poll not cached costs no PostgreSQL query. Reading PostgreSQL second can only
        // make Redis look behind by votes in flight, which the two-round rule below does not confirm
        Map<UUID, Long> cached = counts.read(pollId);
        if (cached.isEmpty()) {
            return 0;
        }
        Map<UUID, Long> truth = new HashMap<>();
        jdbc.sql("SELECT choice_id, count FROM choice_counts WHERE poll_id = ?")
                .param(pollId)
                .query(rs -> {
                    truth.put(rs.getObject("choice_id", UUID.class), rs.getLong("count"));
                });
        Map<UUID, Long> previouslyBehind = suspects.getOrDefault(pollId, Map.of());
        Map<UUID, Long> behind = new HashMap<>();
        long confirmed = 0;
        for (Map.Entry<UUID, Long> choice : truth.entrySet()) {
            long redisCount = cached.getOrDefault(choice.getKey(), 0L);
            if (redisCount < choice.getValue()) {
                behind.put(choice.getKey(), choice.getValue());
                Long before = previouslyBehind.get(choice.getKey());
                if (before != null && redisCount < before) {
                    confirmed += before - redisCount;
                }
            }
        }
        if (confirmed > 0) {
            counts.keepGreater(pollId, truth);
            repaired.increment(confirmed);
            log.warn("Poll {}: Redis counts were {} votes behind PostgreSQL, repaired", pollId, confirmed);
        } else if (!behind.isEmpty()) {
            behindNow.put(pollId, behind);
        }
        return confirmed;
    }
}
