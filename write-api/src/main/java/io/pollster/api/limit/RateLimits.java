package io.pollster.api.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.core.redis.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * The token buckets of {@link LimitsProperties}, kept in Redis by bucket4j (compare-and-swap over
 * Lettuce), so every write-api instance spends from the same bucket. Built on the Lettuce client of
 * the application's connection factory, so its password, TLS and cluster settings apply here too.
 */
@Component
class RateLimits {

    /** The limits, each with the name it has in metrics and in its Redis key. */
    enum Kind {
        VOTES_PER_USER("votes-per-user"),
        VOTES_PER_IP("votes-per-ip"),
        POLLS_PER_USER("polls-per-user"),
        POLLS_PER_IP("polls-per-ip");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private final LettuceConnectionFactory redis;
    private volatile ProxyManager<byte[]> buckets;
    private final Map<Kind, BucketConfiguration> configurations = new EnumMap<>(Kind.class);
    private final Map<Kind, Counter> refused = new EnumMap<>(Kind.class);
    /**
     * The proxy of each bucket in use here: the state stays in Redis, but batching needs one proxy per
     * bucket to gather the concurrent requests on it. Bounded; a dropped proxy is rebuilt on demand.
     */
    private final Cache<String, Bucket> proxies = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(5))
            .build();

    RateLimits(RedisConnectionFactory redis, LimitsProperties properties, MeterRegistry meters) {
        if (!(redis instanceof LettuceConnectionFactory lettuce)) {
            throw new IllegalStateException("rate limits need Lettuce (spring.data.redis.client-type=lettuce)");
        }
        this.redis = lettuce;
        configure(Kind.VOTES_PER_USER, properties.votesPerUser());
        configure(Kind.VOTES_PER_IP, properties.votesPerIp());
        configure(Kind.POLLS_PER_USER, properties.pollsPerUser());
        configure(Kind.POLLS_PER_IP, properties.pollsPerIp());
        for (Kind kind : Kind.values()) {
            refused.put(
                    kind,
                    Counter.builder("pollster.rate.limited")
                            .description("Requests refused with 429 rate-limited, by the limit they were past")
                            .tag("limit", kind.label)
                            .register(meters));
        }
    }

    private void configure(Kind kind, LimitsProperties.Limit limit) {
        configurations.put(
                kind,
                BucketConfiguration.builder()
                        .addLimit(bandwidth ->
                                bandwidth.capacity(limit.capacity()).refillGreedy(limit.capacity(), limit.period()))
                        .build());
    }

    /**
     * Takes one token of {@code subject}'s bucket of {@code kind}. Empty when the request may go on;
     * otherwise how long until a token is back (and the refusal is counted).
     */
    OptionalLong tryTake(Kind kind, String subject) {
        String key = RedisKeys.rateLimit(kind.label, subject);
        ConsumptionProbe probe = proxies.get(key, k -> buckets()
                        .builder()
                        // concurrent requests of this JVM on one bucket become one compare-and-swap,
                        // not a storm of retries: a flood from one address is exactly that case
                        .withOptimization(Optimizations.batching())
                        .build(k.getBytes(StandardCharsets.UTF_8), configurations.get(kind)))
                .tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return OptionalLong.empty();
        }
        refused.get(kind).increment();
        return OptionalLong.of(probe.getNanosToWaitForRefill());
    }

    /** Built on first use: the connection factory's client exists once the factory has started. */
    private ProxyManager<byte[]> buckets() {
        ProxyManager<byte[]> built = buckets;
        if (built == null) {
            synchronized (this) {
                if (buckets == null) {
                    buckets = proxyManager(redis.getRequiredNativeClient());
                }
                built = buckets;
            }
        }
        return built;
    }

    private static ProxyManager<byte[]> proxyManager(AbstractRedisClient client) {
        // a bucket untouched for longer than its refill is full again: Redis may forget it then
        ExpirationAfterWriteStrategy expiry =
                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10));
        Duration timeout = Duration.ofSeconds(5);
        if (client instanceof RedisClusterClient cluster) {
            return Bucket4jLettuce.casBasedBuilder(cluster)
                    .expirationAfterWrite(expiry)
                    .requestTimeout(timeout)
                    .build();
        }
        return Bucket4jLettuce.casBasedBuilder((RedisClient) client)
                .expirationAfterWrite(expiry)
                .requestTimeout(timeout)
                .build();
    }
}
