package io.pollster.api.limit;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Rate limits of vote and poll creation ({@code pollster.limits.*}, docs/api.md "Limits"): token buckets in
 * Redis, shared by every write-api instance, one per user and one per client address. A request past a
 * limit is answered 429 {@code rate-limited} with {@code Retry-After} before its body is read.
 *
 * @param enabled whether any limit applies
 * @param votesPerUser votes one user may send (each limit's capacity and period default separately)
 * @param votesPerIp votes one client address may send (users behind one NAT share it)
 * @param pollsPerUser polls one user may create
 * @param pollsPerIp polls one client address may create
 * @param exemptIps addresses or CIDR ranges no limit applies to. Loopback by default: a process on the
 *     service's own host (an operator, a benchmark); a client behind the trusted proxy is seen with its
 *     own address ({@code server.tomcat.remoteip.internal-proxies}), never as loopback
 * @param exemptUsers users no limit applies to
 */
@ConfigurationProperties("pollster.limits")
@Validated
public record LimitsProperties(
        @DefaultValue("true") boolean enabled,
        @Valid Limit votesPerUser,
        @Valid Limit votesPerIp,
        @Valid Limit pollsPerUser,
        @Valid Limit pollsPerIp,
        @DefaultValue({"127.0.0.0/8", "::1/128"}) List<String> exemptIps,
        @DefaultValue({}) Set<UUID> exemptUsers) {

    /** The defaults of each limit, where configuration leaves it out (30/min, 600/min, 20/h, 60/h). */
    public LimitsProperties {
        votesPerUser = orDefault(votesPerUser, 30, Duration.ofMinutes(1));
        votesPerIp = orDefault(votesPerIp, 600, Duration.ofMinutes(1));
        pollsPerUser = orDefault(pollsPerUser, 20, Duration.ofHours(1));
        pollsPerIp = orDefault(pollsPerIp, 60, Duration.ofHours(1));
    }

    private static Limit orDefault(Limit limit, long capacity, Duration period) {
        if (limit == null) {
            return new Limit(capacity, period);
        }
        return new Limit(
                limit.capacity() == 0 ? capacity : limit.capacity(), limit.period() == null ? period : limit.period());
    }

    /**
     * One token bucket: up to {@code capacity} requests at once, refilled at {@code capacity} per
     * {@code period}.
     *
     * @param capacity requests allowed in a burst
     * @param period the time in which a spent bucket refills completely
     */
    public record Limit(@Min(0) long capacity, Duration period) {}
}
