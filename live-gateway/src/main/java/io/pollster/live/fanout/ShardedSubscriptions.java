package io.pollster.live.fanout;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pollster.core.redis.LettuceConnections;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import reactor.core.Disposable;

/**
 * The sharded pub/sub subscriptions ({@code SSUBSCRIBE}) of this gateway, on one Lettuce pub/sub
 * connection. On a Redis Cluster each channel is subscribed on the node owning its slot, so a node
 * carries only the messages of the polls it owns, and only gateways with viewers of a poll subscribe
 * to it. On a single Redis it is one connection, as with {@code SUBSCRIBE}.
 *
 * <p>Subscriptions must survive a node going away and coming back, and Lettuce's own resubscription
 * does not cover that on a cluster: it sends every shard channel of a node in one {@code SSUBSCRIBE},
 * which a cluster node refuses ({@code CROSSSLOT}) as soon as they span two slots, and a subscribe
 * issued while the owning node is down fails outright. So every wanted channel is subscribed one
 * command at a time, a failed subscribe is retried every {@link #RETRY} while still wanted, every
 * connection Lettuce (re)activates to a node subscribes again each wanted channel that node owns, and
 * a channel whose slot changed master (failover to a replica) is subscribed again on the new one (a
 * duplicate {@code SSUBSCRIBE} is harmless).
 */
final class ShardedSubscriptions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ShardedSubscriptions.class);
    static final Duration RETRY = Duration.ofSeconds(1);

    private final AbstractRedisClient client;
    private final StatefulRedisPubSubConnection<String, String> connection;
    private final ScheduledExecutorService retries;
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();
    private final Disposable reconnects;
    private volatile boolean closed;

    ShardedSubscriptions(
            RedisConnectionFactory redis,
            RedisPubSubListener<String, String> listener,
            ScheduledExecutorService retries) {
        this.client = LettuceConnections.client(redis);
        this.retries = retries;
        this.connection = LettuceConnections.connectPubSub(redis);
        connection.addListener(listener);
        this.reconnects = client.getResources().eventBus().get().subscribe(event -> {
            if (event instanceof ConnectionActivatedEvent activated) {
                activated(activated);
            } else if (event instanceof ClusterTopologyChangedEvent changed) {
                moved(changed);
            }
        });
    }

    /** Subscribes to {@code channel} now and keeps it subscribed until {@link #unsubscribe}. */
    synchronized void subscribe(String channel) {
        wanted.add(channel);
        issue(channel);
    }

    /** Issued under the same lock as {@link #subscribe}, so the two reach Redis in order. */
    synchronized void unsubscribe(String channel) {
        wanted.remove(channel);
        connection.async().sunsubscribe(channel).whenComplete((ok, failed) -> {
            if (failed != null) {
                // the node is gone or unreachable: its subscriptions went with the connection
                log.debug("SUNSUBSCRIBE {} failed: {}", channel, failed.toString());
            }
        });
    }

    private synchronized void issue(String channel) {
        if (closed || !wanted.contains(channel)) {
            return;
        }
        connection.async().ssubscribe(channel).whenComplete((ok, failed) -> {
            if (failed != null && wanted.contains(channel)) {
                log.warn("SSUBSCRIBE {} failed ({}); retrying in {}", channel, failed.toString(), RETRY);
                retries.schedule(() -> issue(channel), RETRY.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private void activated(ConnectionActivatedEvent event) {
        try {
            for (String channel : wanted) {
                if (ownedBy(channel, event.remoteAddress())) {
                    retries.execute(() -> issue(channel));
                }
            }
        } catch (RuntimeException e) {
            log.warn("Could not resubscribe after {}", event, e);
        }
    }

    /**
     * A slot changed master (a replica promoted after its master failed, or resharding): the old owner's
     * connection, if it still answers, no longer carries the channel, so it is subscribed again where
     * Lettuce now routes it. Needs Lettuce's topology refresh (periodic or adaptive) to be seen.
     */
    private void moved(ClusterTopologyChangedEvent event) {
        try {
            for (String channel : wanted) {
                int slot = SlotHash.getSlot(channel);
                if (!Objects.equals(masterOf(event.before(), slot), masterOf(event.after(), slot))) {
                    retries.execute(() -> issue(channel));
                }
            }
        } catch (RuntimeException e) {
            log.warn("Could not resubscribe after {}", event, e);
        }
    }

    private static String masterOf(List<RedisClusterNode> nodes, int slot) {
        for (RedisClusterNode node : nodes) {
            if ((node.is(RedisClusterNode.NodeFlag.UPSTREAM) || node.is(RedisClusterNode.NodeFlag.MASTER))
                    && node.hasSlot(slot)) {
                return node.getNodeId();
            }
        }
        return null;
    }

    /** Whether the node at {@code address} owns the slot of {@code channel}; on a single Redis, always. */
    private boolean ownedBy(String channel, SocketAddress address) {
        if (!(client instanceof RedisClusterClient cluster) || !(address instanceof InetSocketAddress remote)) {
            return true;
        }
        RedisClusterNode master = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(channel));
        if (master == null) {
            return true;
        }
        RedisURI uri = master.getUri();
        return uri.getPort() == remote.getPort()
                && (uri.getHost().equals(remote.getHostString())
                        || (remote.getAddress() != null
                                && uri.getHost().equals(remote.getAddress().getHostAddress())));
    }

    @Override
    public void close() {
        closed = true; // a retry still scheduled must not try a closed connection for ever
        reconnects.dispose();
        connection.close();
    }
}
