package io.pollster.cdc.projection;

import io.pollster.core.redis.LettuceConnections;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * The projector's own Lettuce connection, for what it sends to Redis per batch without going through
 * {@code RedisTemplate}: the Results messages ({@code SPUBLISH}, which the template lacks) and the change
 * events (pipelined {@code XADD}s, without the template's per-command conversion). Opened on first use.
 */
@Component
@ConditionalOnBooleanProperty(name = "pollster.cdc.enabled", matchIfMissing = true)
class ProjectorRedis implements DisposableBean {

    private final RedisConnectionFactory redis;
    private volatile LettuceConnections.Strings connection;

    ProjectorRedis(RedisConnectionFactory redis) {
        this.redis = redis;
    }

    /**
     * The connection, opened again when it was closed under us: a stopped connection factory (a context
     * stopped and started again) closes every connection of its client, and a closed one never reopens.
     * A connection that only lost Redis stays open and reconnects by itself.
     */
    LettuceConnections.Strings connection() {
        LettuceConnections.Strings open = connection;
        if (open == null || !open.connection().isOpen()) {
            synchronized (this) {
                open = connection;
                if (open == null || !open.connection().isOpen()) {
                    open = LettuceConnections.connect(redis);
                    connection = open;
                }
            }
        }
        return open;
    }

    @Override
    public synchronized void destroy() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
