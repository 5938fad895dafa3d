package io.pollster.core.poll;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.RedisKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.core.JacksonException;

/**
 * Poll definitions by id or slug, cached in two tiers: in this process, then in Redis
 * ({@code poll:{id}:meta}), then PostgreSQL ({@link PollDefinitions}), the truth.
 *
 * <p>A poll is immutable but for {@code closed_at}, so caching is about one question: how soon does every
 * instance see that a poll was closed?
 *
 * <ul>
 *   <li>Redis: whoever closes a poll calls {@link #closed(PollDefinition)}, which overwrites the Redis copy
 *       with the closed one. A cache fill after a miss writes with {@code SET NX}, so a reader that loaded
 *       the poll just before it closed can never overwrite the closed copy with its stale open one. The
 *       Redis copy expires ({@code redis-ttl}), which also bounds the one race left (Redis losing the key
 *       between the close and a stale fill).
 *   <li>In process: an open poll is trusted for {@code open-poll-ttl} only (1 s by default), so a close on
 *       another instance is seen here at most that late; a hot poll then costs one Redis GET per second
 *       per instance. A closed poll never changes again and is kept for {@code closed-poll-ttl}. A deadline
 *       ({@code closes_at}) needs no invalidation: {@link PollDefinition#isClosedAt} checks it against the
 *       clock on every use.
 *   <li>Unknown ids and slugs are remembered as misses for {@code negative-ttl} (a few seconds), at most
 *       {@code max-negative-entries} of them, so a flood of requests for polls that do not exist costs one
 *       PostgreSQL query per id or slug per TTL, not one per request, on every path that looks polls up (GET,
 *       vote, the live handshake). A poll created on another instance after a miss is found here at most
 *       {@code negative-ttl} later; one created by this instance ({@link #remember}) at once.
 * </ul>
 *
 * With Redis unreachable, lookups fall through to PostgreSQL.
 */
public class PollCatalog {

    private static final Logger log = LoggerFactory.getLogger(PollCatalog.class);

    private final PollDefinitions definitions;
    private final StringRedisTemplate redis;
    private final Clock clock;
    private final Duration redisTtl;
    private final Cache<UUID, PollDefinition> local;
    /** Slugs never change, so a slug once resolved stays resolved (bounded by size only). */
    private final Cache<String, UUID> slugs;
    /** Ids (as text) and slugs PostgreSQL recently had no poll for. */
    private final Cache<String, Boolean> misses;

    private final LongAdder missHits = new LongAdder();
    private final LongAdder missQueries = new LongAdder();

    public PollCatalog(
            PollDefinitions definitions, StringRedisTemplate redis, Clock clock, PollCatalogProperties properties) {
        this.definitions = definitions;
        this.redis = redis;
        this.clock = clock;
        this.redisTtl = properties.redisTtl();
        this.local = Caffeine.newBuilder()
                .maximumSize(properties.maxLocalPolls())
                .expireAfter(Expiry.creating((UUID id, PollDefinition poll) ->
                        poll.closedAt() != null ? properties.closedPollTtl() : properties.openPollTtl()))
                .build();
        this.slugs =
                Caffeine.newBuilder().maximumSize(properties.maxLocalPolls()).build();
        this.misses = Caffeine.newBuilder()
                .maximumSize(properties.maxNegativeEntries())
                .expireAfterWrite(properties.negativeTtl())
                .build();
    }

    /** The poll named by an API path segment: a poll id or a slug. */
    public Optional<PollDefinition> find(String idOrSlug) {
        Optional<UUID> id = PollDefinitions.parseUuid(idOrSlug);
        if (id.isPresent()) {
            return find(id.get());
        }
        UUID known = slugs.getIfPresent(idOrSlug);
        if (known != null) {
            return find(known);
        }
        if (knownMissing(idOrSlug)) {
            return Optional.empty();
        }
        Optional<PollDefinition> poll = definitions.findBySlug(idOrSlug);
        poll.ifPresentOrElse(this::remember, () -> missed(idOrSlug));
        return poll;
    }

    public Optional<PollDefinition> find(UUID pollId) {
        // concurrent lookups of one poll share one Redis read when its local copy expires: a hot
        // poll's requests would otherwise all miss together once a second
        PollDefinition cached = local.getIfPresent(pollId);
        if (cached != null) {
            return Optional.of(cached);
        }
        String key = pollId.toString();
        if (knownMissing(key)) {
            return Optional.empty();
        }
        cached = local.get(pollId, id -> fromRedis(id).orElse(null));
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<PollDefinition> truth = definitions.findById(pollId);
        truth.ifPresentOrElse(this::remember, () -> missed(key));
        return truth;
    }

    private boolean knownMissing(String idOrSlug) {
        if (misses.getIfPresent(idOrSlug) != null) {
            missHits.increment();
            return true;
        }
        return false;
    }

    private void missed(String idOrSlug) {
        missQueries.increment();
        misses.put(idOrSlug, Boolean.TRUE);
    }

    /** Lookups of unknown polls answered from the negative cache, without PostgreSQL. */
    public long negativeHits() {
        return missHits.sum();
    }

    /** Lookups of unknown polls that asked PostgreSQL (and were then remembered as misses). */
    public long negativeMisses() {
        return missQueries.sum();
    }

    /**
     * Records a poll just created (or read from PostgreSQL) in both tiers, without overwriting a copy
     * Redis already has.
     */
    public void remember(PollDefinition poll) {
        // a poll created here after a lookup of its id or slug missed is visible here at once
        misses.invalidate(poll.slug());
        misses.invalidate(poll.pollId().toString());
        slugs.put(poll.slug(), poll.pollId());
        local.put(poll.pollId(), poll);
        try {
            redis.opsForValue().setIfAbsent(RedisKeys.pollMetadata(poll.pollId()), toJson(poll), redisTtl);
        } catch (DataAccessException redisDown) {
            log.warn("Redis unreachable, poll {} cached in this process only", poll.pollId(), redisDown);
        }
    }

    /**
     * Publishes that a poll was closed, after the close is committed to PostgreSQL: the Redis copy is
     * overwritten for every instance, this process's copy replaced.
     */
    public void closed(PollDefinition poll) {
        if (poll.closedAt() == null) {
            throw new IllegalArgumentException("poll " + poll.pollId() + " is not closed");
        }
        local.put(poll.pollId(), poll);
        try {
            redis.opsForValue().set(RedisKeys.pollMetadata(poll.pollId()), toJson(poll), redisTtl);
        } catch (DataAccessException redisDown) {
            // the Redis copy cannot be replaced while Redis is down; it expires after redis-ttl at worst
            log.error(
                    "Redis unreachable: other instances may see poll {} open until its cached copy expires",
                    poll.pollId(),
                    redisDown);
        }
    }

    /** Whether the poll is closed now (by its creator or past its deadline), as this catalog sees it. */
    public boolean isClosed(PollDefinition poll) {
        return poll.isClosedAt(clock.instant());
    }

    private Optional<PollDefinition> fromRedis(UUID pollId) {
        String json;
        try {
            json = redis.opsForValue().get(RedisKeys.pollMetadata(pollId));
        } catch (DataAccessException redisDown) {
            log.warn("Redis unreachable, reading poll {} from PostgreSQL", pollId, redisDown);
            return Optional.empty();
        }
        if (json == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(PollsterJson.mapper().readValue(json, PollDefinition.class));
        } catch (JacksonException unreadable) {
            // e.g. written by an older version with another shape: PostgreSQL has the truth
            log.warn("Unreadable cached poll {}, reading it from PostgreSQL", pollId, unreadable);
            return Optional.empty();
        }
    }

    private static String toJson(PollDefinition poll) {
        return PollsterJson.mapper().writeValueAsString(poll);
    }
}
