package io.pollster.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.jobs.runtime.ShardedStreamWorker;
import io.pollster.testing.PollFixtures;
import io.pollster.testing.PollsterIntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamInfo;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What the jobs integration tests share: one application context (same properties everywhere), a
 * webhook receiver, an archive directory, and helpers that play the other services (polls created by
 * SQL as write-api would, stream entries added as the projector would).
 */
@PollsterIntegrationTest(classes = JobsApplication.class)
public abstract class JobsIntegrationTestSupport {

    protected static final WebhookReceiver WEBHOOK = WebhookReceiver.start();
    protected static final Path ARCHIVE_DIR = temporaryDirectory();

    @Autowired
    protected JdbcClient jdbc;

    @Autowired
    protected StringRedisTemplate redis;

    @Autowired
    protected Shards shards;

    @Autowired
    protected List<ShardedStreamWorker> workers;

    @LocalServerPort
    protected int port;

    @DynamicPropertySource
    static void jobsProperties(DynamicPropertyRegistry registry) {
        registry.add("pollster.jobs.notify.webhook.url", WEBHOOK::url);
        registry.add("pollster.jobs.archive.dir", ARCHIVE_DIR::toString);
    }

    /** The properties a second jobs instance needs to share this one's servers and settings. */
    protected static Map<String, Object> sharedProperties() {
        return Map.of(
                "pollster.jobs.notify.webhook.url", WEBHOOK.url(),
                "pollster.jobs.archive.dir", ARCHIVE_DIR.toString());
    }

    /** A poll as write-api creates it, with a {@code choice_counts} row of 0 per choice. */
    protected TestPoll createPoll(UUID creatorId, Instant closesAt, int questionCount, int choiceCount) {
        PollFixtures.Poll created = PollFixtures.onTestServers()
                .create(PollFixtures.poll()
                        .creator(creatorId)
                        .title("Jobs test poll")
                        .slugPrefix("jobs-")
                        .closesAt(closesAt)
                        .questions(questionCount)
                        .choices(choiceCount)
                        // a comma and quotes, which archives must escape
                        .choiceText("Choice, \"%d\""));
        return new TestPoll(created.pollId(), created.creatorId(), created.questionIds(), created.choiceIds());
    }

    /**
     * {@code voters} users answer every question (choice by user index), as the ingester records them:
     * responses and counts together.
     */
    protected void vote(TestPoll poll, int voters) {
        for (int v = 0; v < voters; v++) {
            UUID user = UUID.randomUUID();
            UUID voteId = UUID.randomUUID();
            for (int q = 0; q < poll.questionIds().size(); q++) {
                List<UUID> choices = poll.choices().get(q);
                UUID choice = choices.get(v % choices.size());
                jdbc.sql(
                                """
                                INSERT INTO responses (response_id, poll_id, question_id, choice_id, user_id,
                                                       vote_id, submitted_at, ip_address)
                                VALUES (?, ?, ?, ?, ?, ?, now(), '10.0.0.1')
                                """)
                        .params(
                                UUID.randomUUID(),
                                poll.pollId(),
                                poll.questionIds().get(q),
                                choice,
                                user,
                                voteId)
                        .update();
                jdbc.sql("UPDATE choice_counts SET count = count + 1 WHERE choice_id = ?")
                        .param(choice)
                        .update();
            }
        }
    }

    protected long responsesOf(UUID pollId) {
        return jdbc.sql("SELECT count(*) FROM responses WHERE poll_id = ?")
                .param(pollId)
                .query(Long.class)
                .single();
    }

    /** A deadline {@code seconds} ahead, at PostgreSQL's precision. */
    protected static Instant secondsAhead(int seconds) {
        return Instant.now().plusSeconds(seconds).truncatedTo(ChronoUnit.MICROS);
    }

    protected RecordId xadd(String stream, Map<String, String> fields) {
        return redis.opsForStream().add(stream, fields);
    }

    protected ShardedStreamWorker worker(String group) {
        return workers.stream().filter(w -> w.group().equals(group)).findFirst().orElseThrow();
    }

    /** Waits until the group has read every entry of the stream and acknowledged them all. */
    protected void awaitDrained(String stream, String group) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            StreamInfo.XInfoStream info = redis.opsForStream().info(stream);
            StreamInfo.XInfoGroup state = redis.opsForStream().groups(stream).stream()
                    .filter(g -> g.groupName().equals(group))
                    .findFirst()
                    .orElseThrow();
            assertThat(state.lastDeliveredId()).isEqualTo(info.lastGeneratedId());
            assertThat(state.pendingCount()).isZero();
        });
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("pollster-jobs-archive-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A poll created by {@link #createPoll}. */
    public record TestPoll(UUID pollId, UUID creatorId, List<UUID> questionIds, List<List<UUID>> choices) {

        public int shard(Shards shards) {
            return shards.of(pollId);
        }

        public String metadataKey() {
            return RedisKeys.pollMetadata(pollId);
        }
    }
}
