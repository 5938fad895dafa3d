package io.pollster.live.fanout;

import io.pollster.core.redis.LuaScripts;
import io.pollster.core.redis.RedisKeys;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * How many connections watch a poll over every gateway. Each gateway reports its own count per poll into
 * the poll's {@link RedisKeys#viewers} hash under an id of its own (new at every start), with an expiry,
 * and gets the sum back in the same call; no gateway talks to another, and one that dies stops counting
 * once its last report expires.
 */
@Component
class ViewerCounts {

    /** Reports hold for this many refresh intervals: a gateway late by one or two is still counted. */
    static final int REPORTS_HELD_FOR = 3;

    private static final RedisScript<Long> REPORT = LuaScripts.of(ViewerCounts.class, "report_viewers.lua", Long.class);

    private final StringRedisTemplate redis;
    private final String gatewayId = UUID.randomUUID().toString();

    ViewerCounts(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /**
     * Reports this gateway's {@code connections} watching {@code pollId} (0: none any more), held for
     * {@code refresh} × {@value #REPORTS_HELD_FOR}, and returns the poll's connections over every gateway.
     */
    long report(UUID pollId, int connections, Duration refresh) {
        Long sum = redis.execute(
                REPORT,
                List.of(RedisKeys.viewers(pollId)),
                gatewayId,
                Integer.toString(connections),
                Long.toString(refresh.toMillis() * REPORTS_HELD_FOR));
        return sum == null ? 0 : sum;
    }
}
