package io.pollster.api.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.api.vote.TestPolls;
import io.pollster.api.vote.VoteHttp;
import io.pollster.core.events.AcceptedVote;
import io.pollster.core.events.VoteEvent;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.core.vote.VoteIds;
import io.pollster.core.vote.VoteStreamEntry;
import io.pollster.testing.PollsterIntegrationTest;
import io.pollster.testing.TestServers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

@PollsterIntegrationTest
class VoteStreamIngesterIT {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Shards shards;

    @Autowired
    VoteStreamIngester ingester;

    @Autowired
    VoteBatchWriter writer;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    private TestPolls polls;
    private PollDefinition poll;
    private int shard;
    private String stream;

    @BeforeEach
    void openPoll() {
        polls = new TestPolls(jdbc);
        poll = polls.open(3, 2);
        shard = shards.of(poll.pollId());
        stream = RedisKeys.voteStream(shard);
    }

    @AfterEach
    void stopObserving() {
        ingester.observe(null);
    }

    @Test
    void ingesterKilledBetweenCommitAndAcknowledgementLosesAndDoublesNothing() {
        AtomicBoolean killed = new AtomicBoolean();
        AtomicReference<List<RecordId>> pendingAtCrash = new AtomicReference<>();
        ingester.observe((observedShard, entries) -> {
            boolean ours = entries.stream().anyMatch(e -> e.pollId().equals(poll.pollId()));
            if (ours && killed.compareAndSet(false, true)) {
                // read here: once the worker is dead, the other worker of the shard may reclaim its
                // entries (claim-idle-timeout) before the test looks
                pendingAtCrash.set(pendingIds());
                // the worker dies here as it would under SIGKILL: committed, never acknowledged
                throw new SimulatedCrash();
            }
        });
        List<RecordId> ids = enqueueVotes(10);

        // the crash kills the worker thread with an uncaught Error, which Awaitility would otherwise
        // rethrow here if it happened while this wait runs
        await().dontCatchUncaughtExceptions()
                .atMost(Duration.ofSeconds(10))
                .until(() -> killed.get() && !ingester.workerAlive(shard));
        assertThat(pendingAtCrash.get()).containsAnyElementsOf(ids);
        ingester.observe(null);
        ingester.stop();
        ingester.start();

        await().atMost(Duration.ofSeconds(15)).until(() -> pendingIds().isEmpty() && streamHasNone(ids));
        assertThat(polls.responses(poll.pollId())).isEqualTo(30);
        assertThat(rejections()).isZero();
        polls.assertCountersMatchResponses(poll);
    }

    @Test
    void entriesAbandonedByADeadConsumerAreReclaimedAndItsNameRemoved() {
        String dead = "dead-consumer-" + UUID.randomUUID();
        List<RecordId> ids = enqueueWithoutIngesting(4, dead);
        assertThat(consumerNames()).contains(dead);

        await().atMost(Duration.ofSeconds(15)).until(() -> polls.responses(poll.pollId()) == 12);
        await().atMost(Duration.ofSeconds(5)).until(() -> streamHasNone(ids));
        polls.assertCountersMatchResponses(poll);
        // nothing pending with it any more: the dead name leaves the group
        await().atMost(Duration.ofSeconds(15)).until(() -> !consumerNames().contains(dead));
    }

    @Test
    void postgresOutageCountsNoTryAndLosesNoVote() {
        TestServers servers = TestServers.get();
        assumeTrue(servers.canRestart(), "needs the embedded servers");
        List<RecordId> ids;
        servers.stopPostgres();
        try {
            ids = enqueueVotes(5);
            // every re-read during the outage raises Redis's delivery counter past max-tries (2): the
            // old rule would have dead-lettered these votes
            await().atMost(Duration.ofSeconds(90)).until(() -> deliveriesOf(ids.get(0)) > 4);
        } finally {
            servers.startPostgres();
        }
        // PostgreSQL may still be starting up: the test's own query may fail until it answers
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> polls.responses(poll.pollId()) == 15);
        await().atMost(Duration.ofSeconds(5)).until(() -> streamHasNone(ids));
        assertThat(rejections()).isZero();
        assertThat(deadLettersOf(ids)).isZero();
        assertThat(redis.opsForHash().size(RedisKeys.streamTries(stream, VoteStreamIngester.GROUP)))
                .isZero();
        polls.assertCountersMatchResponses(poll);
    }

    @Test
    void poisonVoteIsDeadLetteredOnceWholeAndItsBatchMatesAreWritten() {
        AcceptedVote poison = voteWithAnUnknownChoice();
        UUID voteId = poison.voteId();
        RecordId poisonId;
        List<RecordId> good = new ArrayList<>();
        ingester.stop();
        try {
            // one batch: 5 good votes, the poison vote, 5 more
            good.addAll(enqueueVotes(5));
            poisonId = redis.opsForStream()
                    .add(StreamRecords.mapBacked(VoteStreamEntry.fields(poison)).withStreamKey(stream));
            good.addAll(enqueueVotes(5));
        } finally {
            ingester.start();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> streamHasNone(List.of(poisonId)) && streamHasNone(good));
        assertThat(polls.responses(poll.pollId())).isEqualTo(30);
        assertThat(deadLettersOf(List.of(poisonId))).isEqualTo(1);
        assertThat(deadLetterOf(poisonId.getValue())).containsEntry("tries", "2");
        // the whole vote is given up on, its good answers with its bad one: one rejection per answer
        assertThat(jdbc.sql("SELECT count(*) FROM vote_rejections WHERE vote_id = ?")
                        .param(voteId)
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
        assertThat(jdbc.sql("SELECT count(*) FROM responses WHERE vote_id = ?")
                        .param(voteId)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(redis.opsForHash()
                        .hasKey(RedisKeys.streamTries(stream, VoteStreamIngester.GROUP), poisonId.getValue()))
                .isFalse();
        polls.assertCountersMatchResponses(poll);
    }

    @Test
    void lostConsumerGroupIsRecreatedAndWhatTheStreamStillHoldsIsIngested() {
        List<RecordId> ids;
        ingester.stop();
        try {
            ids = enqueueVotes(3);
            // the group is gone, the entries are still there (a restore, an operator's XGROUP DESTROY)
            redis.opsForStream().destroyGroup(stream, VoteStreamIngester.GROUP);
        } finally {
            ingester.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> polls.responses(poll.pollId()) == 9);
        await().atMost(Duration.ofSeconds(5)).until(() -> streamHasNone(ids));

        // stream and group deleted under a running ingester: new votes still flow
        redis.delete(stream);
        List<RecordId> later = enqueueVotes(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> polls.responses(poll.pollId()) == 15);
        await().atMost(Duration.ofSeconds(5)).until(() -> streamHasNone(later));
        assertThat(rejections()).isZero();
        polls.assertCountersMatchResponses(poll);
    }

    @Test
    void entryThatKeepsFailingGoesToTheDeadLetterStreamWithItsReason() {
        // a choice that does not exist: the ingester refuses it on every try
        AcceptedVote poison = voteWithAnUnknownChoice();
        UUID voteId = poison.voteId();
        RecordId id = redis.opsForStream()
                .add(StreamRecords.mapBacked(VoteStreamEntry.fields(poison)).withStreamKey(stream));
        List<RecordId> good = enqueueVotes(2);

        await().atMost(Duration.ofSeconds(15)).until(() -> deadLetterOf(id.getValue()) != null);
        Map<Object, Object> dead = deadLetterOf(id.getValue());
        assertThat((String) dead.get("reason")).contains("choice");
        assertThat(dead.get("vote_id")).isEqualTo(voteId.toString());
        await().atMost(Duration.ofSeconds(5)).until(() -> streamHasNone(List.of(id)) && streamHasNone(good));
        assertThat(polls.responses(poll.pollId())).isEqualTo(6);
        assertThat(jdbc.sql("SELECT reason FROM vote_rejections WHERE vote_id = ?")
                        .param(voteId)
                        .query(String.class)
                        .list())
                .hasSize(3)
                .allSatisfy(reason -> assertThat(reason).startsWith("dead-lettered"));
    }

    @Test
    void entriesOfTheOldOneAnswerFormatAreIngestedExactlyOnceBesideWholeVotes() {
        List<RecordId> ids = new ArrayList<>();
        ingester.stop();
        try {
            // what a stream can hold when the new version starts: votes written an answer per entry by
            // the old version, one of them half ingested by it before a crash (its first answer
            // committed, not acknowledged), then whole votes of the new version
            List<List<VoteEvent>> legacy = legacyVotes(4);
            for (List<VoteEvent> vote : legacy) {
                for (VoteEvent answer : vote) {
                    ids.add(redis.opsForStream()
                            .add(StreamRecords.mapBacked(VoteStreamEntry.perAnswerFields(answer))
                                    .withStreamKey(stream)));
                }
            }
            writer.write(List.of(legacy.get(0).get(0)));
            ids.addAll(enqueueVotes(3));
            // and the old format's entries again, as a replay after a crash between commit and XACK
            for (VoteEvent answer : legacy.get(1)) {
                ids.add(redis.opsForStream()
                        .add(StreamRecords.mapBacked(VoteStreamEntry.perAnswerFields(answer))
                                .withStreamKey(stream)));
            }
        } finally {
            ingester.start();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> polls.responses(poll.pollId()) == 21);
        await().atMost(Duration.ofSeconds(5)).until(() -> streamHasNone(ids));
        assertThat(polls.responses(poll.pollId())).isEqualTo(21);
        assertThat(jdbc.sql("SELECT count(DISTINCT vote_id) FROM responses WHERE poll_id = ?")
                        .param(poll.pollId())
                        .query(Long.class)
                        .single())
                .isEqualTo(7);
        assertThat(rejections()).isZero();
        polls.assertCountersMatchResponses(poll);
    }

    @Test
    void aReadOfMoreAnswersThanTheBatchSizeIsWrittenInTransactionsOfAtMostThatManyRows() {
        DistributionSummary rowsPerTransaction =
                meters.get("pollster.votes.ingest.batch.size").summary();
        double rowsBefore = rowsPerTransaction.totalAmount();
        long transactionsBefore = rowsPerTransaction.count();
        List<RecordId> ids;
        ingester.stop();
        try {
            // 200 entries, one read (batch-size 500 entries), 600 rows: more than one transaction may hold
            ids = enqueueVotes(200);
        } finally {
            ingester.start();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> polls.responses(poll.pollId()) == 600);
        await().atMost(Duration.ofSeconds(5)).until(() -> streamHasNone(ids));
        assertThat(rowsPerTransaction.totalAmount() - rowsBefore).isGreaterThanOrEqualTo(600);
        assertThat(rowsPerTransaction.count() - transactionsBefore).isGreaterThanOrEqualTo(2);
        assertThat(rowsPerTransaction.max()).isLessThanOrEqualTo(500);
        assertThat(rejections()).isZero();
        polls.assertCountersMatchResponses(poll);
    }

    @Test
    void acknowledgedHistoryIsTrimmedButAnEntryStillPendingElsewhereIsKept() {
        // an entry held by a consumer that died: older than everything ingested after it
        List<RecordId> held = enqueueWithoutIngesting(1);
        List<RecordId> later = enqueueVotes(50);

        await().atMost(Duration.ofSeconds(15)).until(() -> streamHasNone(later));
        // trimmed only up to the oldest pending entry: the held one was still there to be reclaimed
        await().atMost(Duration.ofSeconds(15)).until(() -> polls.responses(poll.pollId()) == 153);
        await().atMost(Duration.ofSeconds(5)).until(() -> streamHasNone(held));
        polls.assertCountersMatchResponses(poll);
    }

    @Test
    void stoppedIngesterLeavesNoReadRunningInRedis() {
        // an entry added right after stop() must not go to a read the stopped worker left blocked in Redis
        for (int round = 0; round < 10; round++) {
            List<RecordId> ids = enqueueWithoutIngesting(1);
            await().atMost(Duration.ofSeconds(15)).until(() -> streamHasNone(ids));
        }
        assertThat(polls.responses(poll.pollId())).isEqualTo(30);
        polls.assertCountersMatchResponses(poll);
    }

    @Test
    void voteSplitAcrossTwoBatchesReadsAcceptedUntilEveryAnswerIsRecorded() {
        VoteHttp http = new VoteHttp(port);
        UUID user = UUID.randomUUID();
        List<UUID[]> answers = poll.questions().stream()
                .map(q -> new UUID[] {q.questionId(), q.choices().get(0).choiceId()})
                .toList();
        ingester.stop();
        String voteId;
        try {
            VoteHttp.Answer accepted = http.vote(poll.pollId(), user, null, answers);
            assertThat(accepted.status()).isEqualTo(202);
            voteId = accepted.text("vote_id");
            // the first answer committed by one batch, the other two still in the stream
            PollDefinition.Question first = poll.questions().get(0);
            writer.write(List.of(new VoteEvent(
                    UUID.fromString(voteId),
                    poll.pollId(),
                    first.questionId(),
                    first.choices().get(0).choiceId(),
                    user,
                    Instant.now())));
            assertThat(polls.responses(poll.pollId())).isEqualTo(1);

            assertThat(statusOf(http, voteId)).isEqualTo("accepted");
        } finally {
            ingester.start();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> "recorded".equals(statusOf(http, voteId)));
        assertThat(polls.responses(poll.pollId())).isEqualTo(3);
        polls.assertCountersMatchResponses(poll);
    }

    private String statusOf(VoteHttp http, String voteId) {
        return http.get("/api/polls/" + poll.pollId() + "/votes/" + voteId).text("status");
    }

    /** Whole votes of 3 answers, one stream entry each, as the vote script writes them. */
    private List<RecordId> enqueueVotes(int votes) {
        List<RecordId> ids = new ArrayList<>();
        for (int v = 0; v < votes; v++) {
            int choice = v % 2;
            List<AcceptedVote.Answer> answers = poll.questions().stream()
                    .map(q -> new AcceptedVote.Answer(
                            q.questionId(), q.choices().get(choice).choiceId()))
                    .toList();
            Instant now = Instant.now();
            AcceptedVote vote =
                    new AcceptedVote(VoteIds.mint(now), poll.pollId(), UUID.randomUUID(), now, null, answers);
            ids.add(redis.opsForStream()
                    .add(StreamRecords.mapBacked(VoteStreamEntry.fields(vote)).withStreamKey(stream)));
        }
        return ids;
    }

    /** Votes as the version before whole-vote entries minted them (random ids), an event per answer. */
    private List<List<VoteEvent>> legacyVotes(int votes) {
        List<List<VoteEvent>> legacy = new ArrayList<>();
        for (int v = 0; v < votes; v++) {
            UUID voteId = UUID.randomUUID();
            UUID user = UUID.randomUUID();
            int choice = v % 2;
            legacy.add(poll.questions().stream()
                    .map(q -> new VoteEvent(
                            voteId,
                            poll.pollId(),
                            q.questionId(),
                            q.choices().get(choice).choiceId(),
                            user,
                            Instant.now()))
                    .toList());
        }
        return legacy;
    }

    /** A vote of every question whose last answer names a choice that does not exist. */
    private AcceptedVote voteWithAnUnknownChoice() {
        List<AcceptedVote.Answer> answers = new ArrayList<>();
        for (PollDefinition.Question q : poll.questions()) {
            answers.add(
                    new AcceptedVote.Answer(q.questionId(), q.choices().get(0).choiceId()));
        }
        answers.set(2, new AcceptedVote.Answer(poll.questions().get(2).questionId(), UUID.randomUUID()));
        Instant now = Instant.now();
        return new AcceptedVote(VoteIds.mint(now), poll.pollId(), UUID.randomUUID(), now, null, answers);
    }

    /** Entries read into the PEL of a consumer that then dies without acknowledging them. */
    private List<RecordId> enqueueWithoutIngesting(int votes) {
        return enqueueWithoutIngesting(votes, "dead-consumer-" + UUID.randomUUID());
    }

    private List<RecordId> enqueueWithoutIngesting(int votes, String consumer) {
        String deadStream = stream;
        ingester.stop();
        try {
            List<RecordId> ids = enqueueVotes(votes);
            List<MapRecord<String, Object, Object>> taken = redis.opsForStream()
                    .read(
                            Consumer.from(VoteStreamIngester.GROUP, consumer),
                            StreamReadOptions.empty().count(10_000),
                            StreamOffset.create(deadStream, ReadOffset.lastConsumed()));
            assertThat(taken).extracting(MapRecord::getId).containsAll(ids);
            return ids;
        } finally {
            ingester.start();
        }
    }

    private List<RecordId> pendingIds() {
        return redis.opsForStream().pending(stream, VoteStreamIngester.GROUP, Range.unbounded(), 10_000L).stream()
                .map(p -> p.getId())
                .toList();
    }

    private long deliveriesOf(RecordId id) {
        return redis
                .opsForStream()
                .pending(stream, VoteStreamIngester.GROUP, Range.closed(id.getValue(), id.getValue()), 1L)
                .stream()
                .mapToLong(p -> p.getTotalDeliveryCount())
                .findFirst()
                .orElse(0);
    }

    private List<String> consumerNames() {
        return redis.opsForStream().consumers(stream, VoteStreamIngester.GROUP).stream()
                .map(c -> c.consumerName())
                .toList();
    }

    private long deadLettersOf(List<RecordId> ids) {
        List<String> sources = ids.stream().map(RecordId::getValue).toList();
        return redis.opsForStream().range(RedisKeys.voteDeadLetterStream(shard), Range.unbounded()).stream()
                .filter(r -> sources.contains(String.valueOf(r.getValue().get("source_id"))))
                .count();
    }

    private boolean streamHasNone(List<RecordId> ids) {
        return ids.stream().allMatch(id -> redis.opsForStream()
                .range(stream, Range.closed(id.getValue(), id.getValue()))
                .isEmpty());
    }

    private Map<Object, Object> deadLetterOf(String sourceId) {
        return redis.opsForStream().range(RedisKeys.voteDeadLetterStream(shard), Range.unbounded()).stream()
                .map(MapRecord::getValue)
                .filter(fields -> sourceId.equals(fields.get("source_id")))
                .findFirst()
                .orElse(null);
    }

    private long rejections() {
        return jdbc.sql("SELECT count(*) FROM vote_rejections WHERE poll_id = ?")
                .param(poll.pollId())
                .query(Long.class)
                .single();
    }

    /** Thrown from the observer to end a worker abruptly, as SIGKILL would end the process. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("simulated crash between commit and XACK", null, false, false);
        }
    }
}
