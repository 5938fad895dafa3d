package io.pollster.core.redis;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What every service checks about its Redis at start ({@code pollster.redis.*}).
 *
 * @param requireNoEviction refuse to start unless every Redis node reports {@code maxmemory-policy
 *     noeviction}; turn off only where CONFIG is unavailable and the policy is known to be noeviction
 * @param startupWait how long a starting service waits for Redis to answer that check before it fails
 */
@ConfigurationProperties("pollster.redis")
public record RedisSafetyProperties(
        @DefaultValue("true") boolean requireNoEviction, @DefaultValue("60s") Duration startupWait) {}
