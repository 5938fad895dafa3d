package io.pollster.cdc.projection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pollster.cdc.milestone.MilestoneRecorder;
import io.pollster.core.events.ArchivalEvent;
import io.pollster.core.poll.PollCatalog;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.core.results.CountsStore;
import io.pollster.core.results.PollCounts;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsAssembler;
import io.pollster.core.results.ResultsReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Applies one batch of WAL changes to Redis: counts with keep-the-greater (one Lua call per poll),
 * one Results message per changed poll, milestones, closings (archival event, a final {@code
 * closed: true} message, voter sets set to expire) and change events. Every step is idempotent, so the engine can re-apply a
 * batch after a failure or a crash: a batch is acknowledged only once this returns.
 */
@Component
@ConditionalOnBooleanProperty(name = "pollster.cdc.enabled", matchIfMissing = true)
public class ChangeProjector {

    private static final Logger log = LoggerFactory.getLogger(ChangeProjector.class);
    /**
     * How long a closed poll's voter sets stay. They only serve the duplicate check of new votes, so
     * they go, but not at once: an instance that has not yet seen the close (its poll catalog trusts
     * an open poll for a second) still checks the votes it accepts against them.
     */
    public static final Duration VOTER_SETS_AFTER_CLOSE = Duration.ofMinutes(10);

    private final CountsStore counts;
    private final ResultsReader resultsReader;
    private final PollCatalog polls;
    private final ResultsPublisher broadcaster;
    private final MilestoneRecorder milestones;
    private final ChangeStreamWriter changeStream;
    private final StringRedisTemplate redis;
    private final Shards shards;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Timer commitToPublish;
    private final AtomicLong lastAppliedCommitMillis = new AtomicLong();

    ChangeProjector(
            CountsStore counts,
            ResultsReader resultsReader,
            PollCatalog polls,
            ResultsPublisher broadcaster,
            MilestoneRecorder milestones,
            ChangeStreamWriter changeStream,
            StringRedisTemplate redis,
            Shards shards,
            Clock clock,
            MeterRegistry meters) {
        this.counts = counts;
        this.resultsReader = resultsReader;
        this.polls = polls;
        this.broadcaster = broadcaster;
        this.milestones = milestones;
        this.changeStream = changeStream;
        this.redis = redis;
        this.shards = shards;
        this.clock = clock;
        this.meters = meters;
        this.commitToPublish = Timer.builder("pollster.cdc.commit.to.publish")
                .description("Time from a transaction's commit in PostgreSQL to its Results message on Redis")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .register(meters);
        Gauge.builder("pollster.cdc.last.applied.commit", lastAppliedCommitMillis, millis -> millis.get() / 1000.0)
                .description("Commit time (epoch seconds) of the last change applied to Redis")
                .baseUnit("seconds")
                .register(meters);
    }

    /** Applies the batch; throws if PostgreSQL or Redis failed, leaving the batch to be applied again. */
    public void apply(List<RowChange> changes) {
        Map<UUID, BatchCounts> countsByPoll = new LinkedHashMap<>();
        Map<UUID, Instant> firstCommitByPoll = new HashMap<>();
        List<RowChange> closings = new ArrayList<>();
        for (RowChange change : changes) {
            switch (change.table()) {
                case "choice_counts", "question_voter_counts", "poll_voter_counts" -> {
                    if (change.operation() != RowChange.Operation.DELETE) {
                        UUID pollId = change.uuid("poll_id");
                        countsByPoll
                                .computeIfAbsent(pollId, id -> new BatchCounts())
                                .add(change);
                        firstCommitByPoll.putIfAbsent(pollId, change.committedAt());
                    }
                }
                case "polls" -> {
                    if (change.operation() != RowChange.Operation.DELETE
                            && change.row().get("closed_at") != null) {
                        closings.add(change);
                    }
                }
                default -> {}
            }
        }
        countsByPoll.forEach(
                (pollId, batchCounts) -> project(pollId, batchCounts.toPollCounts(), firstCommitByPoll.get(pollId)));
        closings.forEach(this::close);
        changeStream.append(changes);
        count(changes);
    }

    /** The commit time of the last change applied, or empty before the first. */
    public Optional<Instant> lastAppliedCommit() {
        long millis = lastAppliedCommitMillis.get();
        return millis == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }

    private void project(UUID pollId, PollCounts batchCounts, Instant firstCommit) {
        Optional<PollDefinition> definition = polls.find(pollId);
        if (definition.isEmpty()) {
            log.info("Skipping counts of poll {}: it no longer exists", pollId);
            return;
        }
        PollDefinition poll = definition.get();
        // choice and voter counters of one batch in one keep-greater call: a reader sees all or none
        PollCounts merged = counts.keepGreater(pollId, batchCounts);
        if (!merged.coversEveryCounter(poll)) {
            // Redis lost the hash (flushed, evicted) and this batch refilled only some counters:
            // complete it from PostgreSQL so the published results show every choice and exact totals
            merged = resultsReader.currentPollCounts(poll);
        }
        Results results = ResultsAssembler.assemble(poll, merged, poll.isClosedAt(clock.instant()));
        broadcaster.publish(results);
        commitToPublish.record(Duration.between(firstCommit, clock.instant()));
        milestones.onTotal(pollId, results.totalVotes());
    }

    private void close(RowChange change) {
        UUID pollId = change.uuid("poll_id");
        Instant closedAt = change.instant("closed_at");
        // the WAL sees every close, whoever made it: publish it to every instance's poll catalog too
        Optional<PollDefinition> closed = polls.find(pollId).map(poll -> poll.closed(closedAt));
        if (closed.isEmpty()) {
            return;
        }
        polls.closed(closed.get());
        int shard = shards.of(pollId);
        closed.get()
                .questions()
                .forEach(question ->
                        redis.expire(RedisKeys.voters(shard, question.questionId()), VOTER_SETS_AFTER_CLOSE));
        Results results = ResultsAssembler.assemble(closed.get(), resultsReader.currentPollCounts(closed.get()), true);
        broadcaster.publish(results);
        ArchivalEvent event = ArchivalEvent.pollClosed(pollId, closedAt);
        redis.opsForStream()
                .add(StreamRecords.string(Map.of(
                                "poll_id", pollId.toString(),
                                "event", event.event(),
                                "closed_at", closedAt.toString()))
                        .withStreamKey(RedisKeys.archivalStream(shard)));
    }

    private void count(List<RowChange> changes) {
        Map<String, Long> byTable = new HashMap<>();
        Instant last = null;
        for (RowChange change : changes) {
            byTable.merge(change.table(), 1L, Long::sum);
            last = change.committedAt();
        }
        byTable.forEach((table, n) -> Counter.builder("pollster.cdc.events")
                .description("Row changes applied from the WAL")
                .tag("table", table)
                .register(meters)
                .increment(n));
        if (last != null) {
            lastAppliedCommitMillis.set(last.toEpochMilli());
        }
    }

    /** The greatest value of each counter of one poll among a batch's changes. */
    private static final class BatchCounts {
        private final Map<UUID, Long> choices = new HashMap<>();
        private final Map<UUID, Long> questions = new HashMap<>();
        private Long pollVoters;

        void add(RowChange change) {
            switch (change.table()) {
                case "choice_counts" -> choices.merge(change.uuid("choice_id"), change.number("count"), Math::max);
                case "question_voter_counts" ->
                    questions.merge(change.uuid("question_id"), change.number("voters"), Math::max);
                default -> pollVoters = Math.max(pollVoters == null ? 0 : pollVoters, change.number("voters"));
            }
        }

        PollCounts toPollCounts() {
            return new PollCounts(choices, questions, pollVoters);
        }
    }
}
