package io.pollster.live.fanout;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.pollster.core.lifecycle.LifecyclePhases;
import io.pollster.core.poll.PollCatalog;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.results.ResultsMessage;
import io.pollster.core.results.ResultsReader;
import io.pollster.live.LiveProperties;
import io.pollster.live.LiveViewers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Fans results out from Redis to the viewers of this node. One sharded pub/sub subscription
 * ({@code SSUBSCRIBE}) per poll that has viewers here (subscribed on the first viewer, unsubscribed after
 * the last), on a single Redis or on the Redis Cluster node owning the poll's channel
 * ({@link ShardedSubscriptions}); each message is parsed and serialized once and the same frame is
 * offered to every viewer.
 *
 * <p>Every (re)subscription acknowledged by Redis triggers a fresh snapshot of the poll's results. After
 * a Redis (or cluster node) restart the subscriptions are made again; messages published while this
 * node was not subscribed are lost to pub/sub, and the snapshot is what brings every viewer back up to
 * date.
 */
@Component
public class ResultsBroadcaster implements DisposableBean, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ResultsBroadcaster.class);

    private final PollCatalog polls;
    private final PollDefinitions definitions;
    private final ResultsReader results;
    private final RedisConnectionFactory redis;
    private final FanoutMetrics metrics;
    private final LiveProperties properties;
    private final ViewerCounts viewerCounts;
    private final LiveViewers liveViewers;
    private final Map<UUID, PollFeed> feeds = new ConcurrentHashMap<>();
    /** Channel name → poll, for the channels subscribed now. */
    private final Map<String, UUID> channels = new ConcurrentHashMap<>();
    /** Polls this node reported viewers of last time: a poll left since is reported once more, as 0. */
    private final Set<UUID> reported = new HashSet<>();

    private final ExecutorService fanout;
    private final ExecutorService snapshots;
    private final ScheduledExecutorService maintenance;
    private final ScheduledExecutorService viewerRefresh;
    private final ScheduledExecutorService visibilityRefresh;
    /** The scheduled refreshes while the context runs; guarded by this. */
    private final List<ScheduledFuture<?>> refreshes = new ArrayList<>();

    private volatile ShardedSubscriptions pubSub;

    ResultsBroadcaster(
            PollCatalog polls,
            PollDefinitions definitions,
            ResultsReader results,
            RedisConnectionFactory redis,
            FanoutMetrics metrics,
            LiveProperties properties,
            ViewerCounts viewerCounts,
            LiveViewers liveViewers) {
        this.polls = polls;
        this.definitions = definitions;
        this.results = results;
        this.redis = redis;
        this.metrics = metrics;
        this.properties = properties;
        this.viewerCounts = viewerCounts;
        this.liveViewers = liveViewers;
        this.fanout = Executors.newFixedThreadPool(properties.fanoutThreads(), threads("live-fanout-"));
        this.snapshots = Executors.newFixedThreadPool(2, threads("live-snapshot-"));
        this.maintenance = Executors.newSingleThreadScheduledExecutor(threads("live-maintenance-"));
        metrics.pollsWatched(feeds::size);
        maintenance.scheduleWithFixedDelay(this::maintain, 1, 1, TimeUnit.SECONDS);
        // its own thread: Redis calls that wait on an outage must not hold up the send-timeout sweep
        this.viewerRefresh = Executors.newSingleThreadScheduledExecutor(threads("live-viewers-"));
        // its own thread too: a check may read PostgreSQL
        this.visibilityRefresh = Executors.newSingleThreadScheduledExecutor(threads("live-visibility-"));
    }

    /**
     * Starts the periodic viewer-count and visibility refreshes, which use Redis and PostgreSQL: they run
     * only while the context runs (a stopped context has stopped its Redis connection factory).
     */
    @Override
    public synchronized void start() {
        if (!channels.isEmpty() && pubSub == null) {
            // back from a stop: the polls still watched are subscribed again on a connection of the
            // restarted connection factory
            ShardedSubscriptions subscriptions = pubSub();
            channels.keySet().forEach(subscriptions::subscribe);
        }
        if (refreshes.isEmpty()) {
            long refresh = properties.viewersRefresh().toMillis();
            refreshes.add(viewerRefresh.scheduleWithFixedDelay(
                    this::refreshViewers, refresh, refresh, TimeUnit.MILLISECONDS));
            long visibility = properties.visibilityRefresh().toMillis();
            refreshes.add(visibilityRefresh.scheduleWithFixedDelay(
                    this::revealAllowed, visibility, visibility, TimeUnit.MILLISECONDS));
        }
    }

    /**
     * Stops the refreshes and closes the pub/sub connection: a stopped context stops its Redis connection
     * factory, whose client closes every connection, and one made by it would never carry a message
     * again. {@link #start} opens a new one (Spring's test framework stops and restarts cached contexts).
     */
    @Override
    public synchronized void stop() {
        refreshes.forEach(task -> task.cancel(false));
        refreshes.clear();
        if (pubSub != null) {
            pubSub.close();
            pubSub = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return !refreshes.isEmpty();
    }

    /** Stops with the web server, before the Redis connection factory (phase 0). */
    @Override
    public int getPhase() {
        return LifecyclePhases.WEB_SERVER;
    }

    /**
     * The poll a viewer asks for, by id or slug. A poll watched on this node is not read again:
     * definitions are immutable but for closing, which arrives as a message.
     */
    public Optional<PollDefinition> find(String idOrSlug) {
        Optional<PollFeed> watched = PollDefinitions.parseUuid(idOrSlug).map(feeds::get);
        if (watched.isPresent()) {
            return Optional.of(watched.get().poll());
        }
        return polls.find(idOrSlug);
    }

    /**
     * Opens this node's pub/sub connection if it has none yet (the first viewer), so that a handshake
     * can be refused with 503 while Redis is out of reach, before it is upgraded or its event stream
     * started; once open, Lettuce reconnects it by itself and {@link #watch} needs Redis no more.
     */
    public void ensureConnected() {
        pubSub();
    }

    /**
     * Starts sending {@code poll}'s results to {@code viewer}: the current results first, then every
     * change, until the viewer disconnects or the poll closes.
     */
    public void watch(PollDefinition poll, Viewer viewer) {
        UUID pollId = poll.pollId();
        PollFeed feed = feeds.compute(pollId, (id, existing) -> {
            PollFeed joined = existing;
            if (joined == null) {
                joined = new PollFeed(
                        poll, properties.fanoutThreads(), fanout, maintenance, properties.minFrameInterval(), metrics);
                // issued inside compute, so subscribe and unsubscribe of one poll reach Redis in order
                channels.put(RedisKeys.updates(id), id);
                pubSub().subscribe(RedisKeys.updates(id));
            }
            joined.add(viewer);
            return joined;
        });
        viewer.onClose(() -> leave(pollId, viewer));
        ResultsFrame current = feed.current();
        if (current != null) {
            viewer.offer(current);
        } else {
            // no snapshot yet (first viewer, or Redis unreachable): read one now, PostgreSQL if need be;
            // the snapshot after the subscription is acknowledged follows and covers the gap
            snapshots.execute(() -> {
                try {
                    viewer.offer(feed.stamp(ResultsFrame.of(ResultsMessage.of(results.read(poll)), System.nanoTime())));
                } catch (RuntimeException e) {
                    log.warn("Could not read results of poll {} for a new viewer", pollId, e);
                }
            });
        }
    }

    private void leave(UUID pollId, Viewer viewer) {
        feeds.computeIfPresent(pollId, (id, feed) -> {
            if (feed.remove(viewer)) {
                pubSub().unsubscribe(RedisKeys.updates(id));
                channels.remove(RedisKeys.updates(id));
                return null;
            }
            return feed;
        });
    }

    /** Number of viewers of a poll on this node. */
    public int viewers(UUID pollId) {
        PollFeed feed = feeds.get(pollId);
        return feed == null ? 0 : feed.viewerCount();
    }

    private synchronized ShardedSubscriptions pubSub() {
        if (pubSub == null) {
            pubSub = new ShardedSubscriptions(redis, new Listener(), maintenance);
        }
        return pubSub;
    }

    private final class Listener extends RedisPubSubAdapter<String, String> {

        @Override
        public void smessage(String channel, String json) {
            long receivedAt = System.nanoTime();
            metrics.received();
            ResultsMessage message;
            try {
                message = ResultsMessage.fromJson(json);
            } catch (RuntimeException e) {
                log.warn("Ignoring an unreadable message on {}: {}", channel, e.getMessage());
                return;
            }
            PollFeed feed = feeds.get(message.pollId());
            if (feed != null) {
                feed.publish(ResultsFrame.of(message, receivedAt));
            }
        }

        /** Redis acknowledged a subscription: first one or after a reconnect. */
        @Override
        public void ssubscribed(String channel, long count) {
            UUID pollId = channels.get(channel);
            if (pollId == null) {
                return;
            }
            // off the Redis event loop: the snapshot itself talks to Redis
            snapshots.execute(() -> refresh(pollId));
        }
    }

    /** Reads the poll's current results and sends them to its viewers, if newer than what they have. */
    private void refresh(UUID pollId) {
        PollFeed feed = feeds.get(pollId);
        if (feed == null) {
            return;
        }
        try {
            // closing is the one change a poll allows, and its message may have been lost with Redis:
            // read PostgreSQL rather than any cached copy
            PollDefinition poll = definitions.findById(pollId).orElse(feed.poll());
            feed.publish(ResultsFrame.of(ResultsMessage.of(results.read(poll)), System.nanoTime()));
        } catch (RuntimeException e) {
            log.warn("Could not refresh results of poll {}", pollId, e);
        }
    }

    /**
     * Reports this node's connections of every poll watched here (and, once, 0 for a poll left since the
     * last round) and hands each feed the sum over all gateways: one Redis call per poll per interval,
     * whatever the connections do in between. A feed whose figure changed sends its current message again
     * with it.
     */
    private void refreshViewers() {
        Set<UUID> polls = new HashSet<>(feeds.keySet());
        polls.addAll(reported);
        for (UUID pollId : polls) {
            PollFeed feed = feeds.get(pollId);
            int here = feed == null ? 0 : feed.viewerCount();
            long total;
            try {
                total = viewerCounts.report(pollId, here, properties.viewersRefresh());
            } catch (RuntimeException e) {
                // Redis is away: every other poll would wait as long; messages keep their last figure
                log.warn("Could not refresh viewer counts: {}", e.getMessage());
                return;
            }
            if (here > 0) {
                reported.add(pollId);
            } else {
                reported.remove(pollId);
            }
            if (feed != null) {
                feed.viewers(total);
            }
        }
    }

    /**
     * Checks again, with core's ResultsAccess, the connections that get hidden results, and starts sending
     * counts to those now allowed (the vote of an {@code after_vote} viewer was accepted; an {@code
     * after_close} poll reached its {@code closes_at}). Viewers who see counts are never checked; an {@code
     * after_vote} poll's hidden ones only when its version moved since the last round, since a vote that
     * reveals counts is accepted before it is counted. Per round, one check per hidden connection of such a
     * poll (ResultsAccess has no batch form).
     */
    private void revealAllowed() {
        try {
            for (PollFeed feed : feeds.values()) {
                ResultsFrame current = feed.current();
                if (!feed.countsMayBeHidden() || current == null || !feed.recheckDue(current)) {
                    continue;
                }
                PollDefinition poll = feed.poll();
                feed.forEachViewer(viewer -> {
                    if (!viewer.seesCounts() && !viewer.isClosed() && liveViewers.maySee(poll, viewer.identity())) {
                        viewer.reveal(feed.current());
                    }
                });
            }
        } catch (RuntimeException e) {
            log.warn("Visibility check failed", e);
        }
    }

    /** The {@code "viewers"} figure this node's messages of a poll carry now (0 if not watched here). */
    public long viewersShown(UUID pollId) {
        PollFeed feed = feeds.get(pollId);
        return feed == null ? 0 : feed.viewersShown();
    }

    /** Disconnects stuck viewers and pings idle ones. */
    private void maintain() {
        long stuck = properties.sendTimeout().toNanos();
        long idle = properties.pingInterval().toNanos();
        long now = System.nanoTime();
        try {
            for (PollFeed feed : feeds.values()) {
                feed.forEachViewer(viewer -> {
                    if (viewer.stuckLongerThan(stuck, now)) {
                        viewer.disconnectStuck();
                    } else {
                        viewer.pingIfIdle(idle, now);
                    }
                });
            }
        } catch (RuntimeException e) {
            log.warn("Viewer maintenance failed", e);
        }
    }

    @Override
    public void destroy() {
        viewerRefresh.shutdownNow();
        visibilityRefresh.shutdownNow();
        maintenance.shutdownNow();
        feeds.values().forEach(feed -> feed.forEachViewer(viewer -> viewer.disconnect(false)));
        if (pubSub != null) {
            pubSub.close();
        }
        fanout.shutdownNow();
        snapshots.shutdownNow();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger number = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
