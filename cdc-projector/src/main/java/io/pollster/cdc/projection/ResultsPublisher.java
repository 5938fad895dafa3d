package io.pollster.cdc.projection;

import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.LettuceConnections;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsMessage;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Publishes a poll's Results message on {@code poll:{id}:updates}, where the live gateways listen, with
 * sharded pub/sub ({@code SPUBLISH}): on a Redis Cluster the message goes to the node owning the
 * channel's slot and stays there, instead of being copied to every node as {@code PUBLISH} is; on a
 * single Redis it behaves as {@code PUBLISH}. {@code RedisTemplate} has no {@code SPUBLISH}, hence a
 * Lettuce connection of its own, opened on first use.
 */
@Component
@ConditionalOnBooleanProperty(name = "pollster.cdc.enabled", matchIfMissing = true)
class ResultsPublisher implements DisposableBean {

    private final RedisConnectionFactory redis;
    private volatile LettuceConnections.Strings connection;

    ResultsPublisher(RedisConnectionFactory redis) {
        this.redis = redis;
    }

    /** Publishes and waits for Redis to take the message; throws if it could not. */
    void publish(Results results) {
        connection()
                .sync()
                .spublish(
                        RedisKeys.updates(results.pollId()),
                        PollsterJson.mapper().writeValueAsString(ResultsMessage.of(results)));
    }

    /**
     * The connection, opened again when it was closed under us: a stopped connection factory (a context
     * stopped and started again) closes every connection of its client, and a closed one never reopens.
     * A connection that only lost Redis stays open and reconnects by itself.
     */
    private LettuceConnections.Strings connection() {
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
