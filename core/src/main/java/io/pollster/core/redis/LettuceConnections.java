package io.pollster.core.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The one place that opens Lettuce connections of its own, beside Spring's shared one, for code that
 * needs what {@code RedisTemplate} does not offer (blocking stream reads, sharded pub/sub). It works on
 * whatever Spring Boot configured: a standalone {@link RedisClient}, or a {@link RedisClusterClient}
 * when {@code spring.data.redis.cluster.nodes} is set (sentinel gives a {@link RedisClient} too).
 * Commands of a cluster connection are routed by the slot of their first key, so each must keep its
 * keys in one slot (the hash tags of {@link RedisKeys}). The stream consumers ({@code core.stream}) read
 * one stream per connection, which keeps every XREADGROUP in one slot.
 */
public final class LettuceConnections {

    private LettuceConnections() {}

    /** The Lettuce client behind Spring's connection factory. */
    public static AbstractRedisClient client(RedisConnectionFactory factory) {
        if (!(factory instanceof LettuceConnectionFactory lettuce)) {
            throw new IllegalStateException("Pollster needs Spring's Lettuce connection factory, found "
                    + factory.getClass().getName());
        }
        return lettuce.getRequiredNativeClient();
    }

    /** Whether the configured Redis is a Redis Cluster; known from the configuration, before any connection. */
    public static boolean isCluster(RedisConnectionFactory factory) {
        return factory instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware();
    }

    /** A new connection of String keys and values; close it when done. */
    public static Strings connect(RedisConnectionFactory factory) {
        return connect(client(factory));
    }

    /** A new connection of String keys and values on {@code client}; close it when done. */
    public static Strings connect(AbstractRedisClient client) {
        if (client instanceof RedisClusterClient cluster) {
            StatefulRedisClusterConnection<String, String> connection = cluster.connect(StringCodec.UTF8);
            return new Strings(connection, connection.sync(), connection.async());
        }
        StatefulRedisConnection<String, String> connection = ((RedisClient) client).connect(StringCodec.UTF8);
        return new Strings(connection, connection.sync(), connection.async());
    }

    /**
     * A new pub/sub connection. On a cluster, {@code SSUBSCRIBE} goes to the node that owns the channel's
     * slot and that node's messages reach the listeners added to the returned connection.
     */
    public static StatefulRedisPubSubConnection<String, String> connectPubSub(RedisConnectionFactory factory) {
        AbstractRedisClient client = client(factory);
        if (client instanceof RedisClusterClient cluster) {
            StatefulRedisClusterPubSubConnection<String, String> connection = cluster.connectPubSub(StringCodec.UTF8);
            connection.setNodeMessagePropagation(true);
            return connection;
        }
        return ((RedisClient) client).connectPubSub(StringCodec.UTF8);
    }

    /**
     * A connection and its commands, the same interfaces on a standalone server and on a cluster.
     *
     * @param connection the connection, to close
     * @param sync blocking commands
     * @param async non-blocking commands
     */
    public record Strings(
            StatefulConnection<String, String> connection,
            RedisClusterCommands<String, String> sync,
            RedisClusterAsyncCommands<String, String> async)
            implements AutoCloseable {

        @Override
        public void close() {
            connection.close();
        }
    }
}
