package io.pollster.core.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.CoreTestServers;
import io.pollster.core.redis.RedisKeys;
import io.pollster.testing.PollFixtures;
import io.pollster.testing.QueryCounter;
import io.pollster.testing.TestServers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class PollCatalogIT {

    private static StringRedisTemplate redis;
    private static JdbcClient jdbc;

    private PollDefinitions definitions;
    private UUID pollId;
    private String slug;

    @BeforeAll
    static void connect() {
        jdbc = CoreTestServers.jdbc();
        redis = CoreTestServers.redis();
    }

    @BeforeEach
    void createPoll() {
        definitions = new PollDefinitions(jdbc);
        pollId = UUID.randomUUID();
        slug = "catalog-" + pollId;
        insertPoll(pollId, slug);
    }

    private static void insertPoll(UUID pollId, String slug) {
        PollFixtures.onTestServers()
                .create(PollFixtures.poll()
                        .pollId(pollId)
                        .slug(slug)
                        .title("Catalog")
                        .questionText("Pick")
                        .withoutCountRows());
    }

    private PollCatalog catalog(Duration openPollTtl) {
        return new PollCatalog(
                definitions,
                redis,
                Clock.systemUTC(),
                new PollCatalogProperties(
                        openPollTtl, Duration.ofHours(1), Duration.ofHours(1), 100, Duration.ofHours(1), 100));
    }

    @Test
    void aPollReadOnceIsSharedThroughRedisAndFoundBySlugAndById() {
        PollDefinition bySlug = catalog(Duration.ofSeconds(1)).find(slug).orElseThrow();

        assertThat(redis.hasKey(RedisKeys.pollMetadata(pollId))).isTrue();
        // another instance, nothing in memory: served from the Redis copy, equal to PostgreSQL's
        assertThat(catalog(Duration.ofSeconds(1)).find(pollId)).contains(bySlug);
        assertThat(bySlug).isEqualTo(definitions.findById(pollId).orElseThrow());
    }

    @Test
    void aStaleOpenCopyNeverOverwritesTheClosedOne() {
        PollDefinition open = definitions.findById(pollId).orElseThrow();
        PollDefinition closed = open.closed(Instant.now().truncatedTo(ChronoUnit.MICROS));
        catalog(Duration.ofSeconds(1)).closed(closed);

        // a reader that loaded the poll before the close fills the cache after it
        catalog(Duration.ofSeconds(1)).remember(open);

        assertThat(catalog(Duration.ZERO).find(pollId).orElseThrow().closedAt()).isEqualTo(closed.closedAt());
    }

    /** A catalog of another instance whose PostgreSQL queries of {@code polls} are counted. */
    private PollCatalog countedCatalog(QueryCounter queries, Duration negativeTtl) {
        TestServers servers = TestServers.get();
        JdbcClient counted = JdbcClient.create(
                queries.wrap(new DriverManagerDataSource(servers.jdbcUrl(), servers.username(), servers.password())));
        return new PollCatalog(
                new PollDefinitions(counted),
                redis,
                Clock.systemUTC(),
                new PollCatalogProperties(
                        Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofHours(1), 100, negativeTtl, 1_000));
    }

    private static QueryCounter pollQueries() {
        return new QueryCounter(sql -> sql.contains("FROM polls WHERE"));
    }

    @Test
    void aFloodOfUnknownIdsAndSlugsCostsOneQueryEachPerTtl() {
        QueryCounter queries = pollQueries();
        PollCatalog catalog = countedCatalog(queries, Duration.ofHours(1));
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            unknown.add("no-such-poll-" + UUID.randomUUID());
            unknown.add(UUID.randomUUID().toString());
        }

        for (int round = 0; round < 50; round++) {
            for (String idOrSlug : unknown) {
                assertThat(catalog.find(idOrSlug)).isEmpty();
            }
        }

        assertThat(queries.count())
                .as("one query per id or slug, not per lookup")
                .isEqualTo(40);
        assertThat(catalog.negativeMisses()).isEqualTo(40);
        assertThat(catalog.negativeHits()).isEqualTo(40 * 49);
    }

    @Test
    void aPollCreatedByThisInstanceAfterAMissIsFoundAtOnce() {
        PollCatalog catalog = catalog(Duration.ofSeconds(1));
        UUID later = UUID.randomUUID();
        assertThat(catalog.find(later)).isEmpty();
        assertThat(catalog.find("later-" + later)).isEmpty();

        insertPoll(later, "later-" + later);
        assertThat(catalog.find(later)).as("still a remembered miss").isEmpty();
        // what PollService does after it commits a new poll
        catalog.remember(definitions.findById(later).orElseThrow());

        assertThat(catalog.find(later)).isPresent();
        assertThat(catalog.find("later-" + later)).isPresent();
    }

    @Test
    void aPollCreatedElsewhereAfterAMissIsFoundOnceTheMissExpires() {
        QueryCounter queries = pollQueries();
        PollCatalog catalog = countedCatalog(queries, Duration.ofMillis(500));
        UUID later = UUID.randomUUID();
        assertThat(catalog.find(later)).isEmpty();
        assertThat(catalog.find("later-" + later)).isEmpty();

        insertPoll(later, "later-" + later);

        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.find(later).isPresent());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> catalog.find("later-" + later).isPresent());
    }
}
