package io.pollster.core.redis;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Refuses to start a service against a Redis that may evict keys. Between a vote's 202 and its ingest,
 * its stream entry is the only copy of it; an evicted stream loses accepted votes, an evicted
 * idempotency record turns a retry into {@code already-voted}, an evicted consumer group's pending list
 * forgets what was in flight. Only {@code maxmemory-policy noeviction} (Redis's default) keeps all of
 * them: {@code volatile-*} policies are refused too, because Pollster's keys with a TTL (idempotency
 * records, accepted markers) must last their TTL. On a cluster every master is checked.
 */
public final class RedisEvictionCheck implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(RedisEvictionCheck.class);
    private static final String POLICY = "maxmemory-policy";
    private static final String SAFE = "noeviction";

    private final RedisConnectionFactory redis;
    private final RedisSafetyProperties properties;

    public RedisEvictionCheck(RedisConnectionFactory redis, RedisSafetyProperties properties) {
        this.redis = redis;
        this.properties = properties;
    }

    @Override
    public void afterPropertiesSet() {
        if (!properties.requireNoEviction()) {
            log.warn("pollster.redis.require-no-eviction=false: not checking Redis's maxmemory-policy");
            return;
        }
        Map<String, String> policies = policies();
        Map<String, String> unsafe = new TreeMap<>();
        policies.forEach((node, policy) -> {
            if (!SAFE.equalsIgnoreCase(policy)) {
                unsafe.put(node, policy);
            }
        });
        if (policies.isEmpty() || !unsafe.isEmpty()) {
            throw new IllegalStateException("Redis " + (policies.isEmpty() ? "reported no maxmemory-policy" : unsafe)
                    + ": Pollster needs maxmemory-policy noeviction. Redis holds accepted votes that are not yet in"
                    + " PostgreSQL, and a policy that evicts keys (allkeys-* or volatile-*) can drop them. Run"
                    + " CONFIG SET maxmemory-policy noeviction (and put it in redis.conf), or, if the policy is"
                    + " enforced elsewhere and CONFIG is unavailable, set pollster.redis.require-no-eviction=false.");
        }
        log.info("Redis maxmemory-policy checked: {}", policies);
    }

    /** Node (or "redis" when not a cluster) → policy; waits for Redis up to {@code startup-wait}. */
    private Map<String, String> policies() {
        long deadline = System.nanoTime() + properties.startupWait().toNanos();
        while (true) {
            try (RedisConnection connection = redis.getConnection()) {
                Properties config = connection.serverCommands().getConfig(POLICY);
                Map<String, String> policies = new TreeMap<>();
                if (config != null) {
                    // a cluster answers "<host:port>.maxmemory-policy" per node
                    config.forEach((key, value) -> {
                        String name = String.valueOf(key);
                        if (name.endsWith(POLICY)) {
                            String node = name.length() > POLICY.length()
                                    ? name.substring(0, name.length() - POLICY.length() - 1)
                                    : "redis";
                            policies.put(node, String.valueOf(value));
                        }
                    });
                }
                return policies;
            } catch (RuntimeException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException(
                            "cannot read Redis's maxmemory-policy (CONFIG GET) within "
                                    + properties.startupWait()
                                    + "; Pollster refuses to start without knowing Redis cannot evict its keys"
                                    + " (set pollster.redis.require-no-eviction=false if CONFIG is unavailable"
                                    + " and the policy is noeviction)",
                            e);
                }
                log.warn("Redis not answering yet ({}); checking its maxmemory-policy again", e.toString());
                LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
            }
        }
    }
}
