package io.pollster.core.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.CoreTestServers;
import io.pollster.core.redis.RedisKeys;
import io.pollster.testing.PollFixtures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

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
                new PollCatalogProperties(openPollTtl, Duration.ofHours(1), Duration.ofHours(1), 100));
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

    @Test
    void unknownPollsAreNotCachedSoAPollCreatedElsewhereIsFoundAtOnce() {
        PollCatalog catalog = catalog(Duration.ofSeconds(1));
        UUID later = UUID.randomUUID();
        assertThat(catalog.find(later)).isEmpty();
        assertThat(catalog.find("later-" + later)).isEmpty();

        insertPoll(later, "later-" + later);

        assertThat(catalog.find(later)).isPresent();
        assertThat(catalog.find("later-" + later)).isPresent();
    }
}
