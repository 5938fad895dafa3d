package io.pollster.core.stream;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.pollster.core.redis.LettuceConnections;
import io.pollster.core.redis.LuaScripts;
import io.pollster.core.redis.RedisKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The one Redis-stream consumer loop of Pollster: one thread, one connection, one stream, one name in
 * one consumer group. Vote ingestion and every jobs worker run on it, so they share one failure policy
 * ({@link StreamFailures}):
 *
 * <ul>
 *   <li>At start, and after any failure, it first re-reads its own pending entries ({@code XREADGROUP …
 *       0}): with a name stable per instance, a restarted instance finishes what it held at once.
 *   <li>Entries are acknowledged only after {@link StreamHandler#handle} returned.
 *   <li>A failure of the stores (or any failure not the entries' own) is retried with capped exponential
 *       backoff for as long as it lasts and never counts a try.
 *   <li>A batch refused on its own merits is bisected, so one bad entry cannot hold up its batch-mates;
 *       the bad entry counts a try in a Redis hash ({@link RedisKeys#streamTries}) kept by Pollster, not
 *       Redis's delivery counter (which every re-read raises), and after {@code maxTries} goes, once, to
 *       the dead-letter stream ({@code dead_letter.lua}).
 *   <li>Entries pending longer than {@code claimIdleTimeout} with another consumer are taken over
 *       (XAUTOCLAIM), and names of consumers with nothing pending left are removed from the group.
 *   <li>A missing group (NOGROUP: stream deleted, FLUSHALL, an old backup restored) is recreated from id
 *       {@code 0} with MKSTREAM, so whatever is still in the stream is consumed.
 * </ul>
 */
public final class StreamConsumer {

    private static final Logger log = LoggerFactory.getLogger(StreamConsumer.class);
    private static final String DEAD_LETTER = LuaScripts.source(StreamConsumer.class, "dead_letter.lua");
    private static final String DEAD_LETTER_SHA = LuaScripts.sha1(DEAD_LETTER);
    private static final String DELETE_IDLE = LuaScripts.source(StreamConsumer.class, "delete_idle_consumers.lua");
    private static final String DELETE_IDLE_SHA = LuaScripts.sha1(DELETE_IDLE);
    private static final int MAX_REASON_LENGTH = 1000;
    private static final long MIN_BLOCK_MILLIS = 1;

    private final RedisConnectionFactory redis;
    private final StreamConsumerSettings settings;
    private final StreamHandler handler;
    private final Consumer<String> consumer;
    private final String triesKey;
    private final Thread thread;
    private volatile boolean running = true;

    private RedisClusterCommands<String, String> commands;
    private long nextHousekeepingNanos = System.nanoTime();
    /** Non-null while re-reading this consumer's own pending entries: the id after which to go on. */
    private String backlogCursor = "0";
    /** A refused entry waits in our pending list for its next try until then. */
    private boolean backlogScheduled;

    private long backlogDueNanos;
    private int failuresInARow;

    StreamConsumer(RedisConnectionFactory redis, StreamConsumerSettings settings, StreamHandler handler) {
        this.redis = redis;
        this.settings = settings;
        this.handler = handler;
        this.consumer = Consumer.from(settings.group(), settings.consumerName());
        this.triesKey = RedisKeys.streamTries(settings.stream(), settings.group());
        this.thread = new Thread(this::run, settings.group() + "-" + settings.stream());
        this.thread.setDaemon(true);
    }

    public StreamConsumerSettings settings() {
        return settings;
    }

    public void start() {
        thread.start();
    }

    /**
     * Asks the loop to stop after its current read (at most {@code blockTime}) and the batch that read
     * returned. No interrupt: a read cut short on our side would go on in Redis, which could hand the
     * next entries to a consumer nobody drives.
     */
    public void signalStop() {
        running = false;
        LockSupport.unpark(thread);
    }

    /** Waits until the loop has ended or {@code deadlineNanos} (a {@link System#nanoTime()}) passed. */
    public boolean awaitStopped(long deadlineNanos) {
        try {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /** Ends a loop that did not stop in time; its unacknowledged entries are reclaimed like a dead one's. */
    public void interrupt() {
        thread.interrupt();
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    @Override
    public String toString() {
        return consumer.getName() + "@" + settings.group() + "/" + settings.stream();
    }

    private void run() {
        StatefulConnection<String, String> connection = null;
        try {
            while (running) {
                try {
                    if (connection == null) {
                        connection = connect();
                        ensureGroup();
                    }
                    round();
                    failuresInARow = 0;
                } catch (RuntimeException e) {
                    if (!running) {
                        break;
                    }
                    failed(e);
                }
            }
        } finally {
            if (connection != null) {
                // closed before the stop returns: no read of this consumer outlives the loop
                connection.close();
            }
        }
    }

    private void round() {
        long now = System.nanoTime();
        if (now - nextHousekeepingNanos >= 0) {
            reclaimAbandoned();
            deleteIdleConsumers();
            nextHousekeepingNanos =
                    now + Math.max(settings.claimIdleTimeout().toNanos() / 2, TimeUnit.MILLISECONDS.toNanos(50));
        }
        if (backlogCursor == null && backlogScheduled && now - backlogDueNanos >= 0) {
            backlogScheduled = false;
            backlogCursor = "0";
        }
        if (backlogCursor != null) {
            List<StreamMessage<String, String>> own =
                    read(XReadArgs.StreamOffset.from(settings.stream(), backlogCursor), 0);
            if (own.isEmpty()) {
                backlogCursor = null;
            } else {
                backlogCursor = own.get(own.size() - 1).getId();
                process(own, true);
            }
            return;
        }
        long block = settings.blockTime().toMillis();
        if (backlogScheduled) {
            block = Math.min(block, TimeUnit.NANOSECONDS.toMillis(backlogDueNanos - now));
        }
        List<StreamMessage<String, String>> fresh =
                read(XReadArgs.StreamOffset.lastConsumed(settings.stream()), Math.max(block, MIN_BLOCK_MILLIS));
        if (!fresh.isEmpty()) {
            process(fresh, false);
        }
    }

    /** A failure outside any one entry's fault: wait (capped exponential backoff), then re-read our backlog. */
    private void failed(RuntimeException e) {
        failuresInARow++;
        Duration pause = backoff(failuresInARow);
        if (StreamFailures.isNoGroup(e)) {
            log.warn(
                    "{}: the consumer group is gone (stream deleted, FLUSHALL or an old backup restored); "
                            + "recreating it from id 0",
                    this);
            try {
                ensureGroup();
                pause = Duration.ZERO;
            } catch (RuntimeException notYet) {
                log.warn("{}: cannot recreate the consumer group yet: {}", this, notYet.toString());
            }
        } else if (failuresInARow == 1 || failuresInARow % 10 == 0) {
            log.warn(
                    "{}: {} (failure {} in a row, counted against no entry); retrying in {} ms",
                    this,
                    e.toString(),
                    failuresInARow,
                    pause.toMillis());
        } else {
            log.debug("{}: {}; retrying in {} ms", this, e.toString(), pause.toMillis());
        }
        // whatever we read before the failure may be pending with us without our knowing it
        backlogCursor = "0";
        backlogScheduled = false;
        pause(pause);
    }

    private Duration backoff(int attempt) {
        long initial = Math.max(settings.retryInitial().toMillis(), 1);
        long max = settings.retryMax().toMillis();
        long millis = initial << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, max));
    }

    private StatefulConnection<String, String> connect() {
        LettuceConnections.Strings connection = LettuceConnections.connect(redis);
        commands = connection.sync();
        return connection.connection();
    }

    private void ensureGroup() {
        try {
            // from id 0: what the stream already holds (written before any consumer ran, or left after the
            // group was lost) is consumed too; replays are harmless by the handlers' idempotence
            commands.xgroupCreate(
                    XReadArgs.StreamOffset.from(settings.stream(), "0"),
                    settings.group(),
                    XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException alreadyThere) {
            // another consumer, or an earlier run, created it
        }
    }

    private List<StreamMessage<String, String>> read(XReadArgs.StreamOffset<String> offset, long blockMillis) {
        XReadArgs args = XReadArgs.Builder.count(settings.batchSize());
        if (blockMillis > 0) {
            args.block(blockMillis);
        }
        List<StreamMessage<String, String>> messages = commands.xreadgroup(consumer, args, offset);
        return messages == null ? List.of() : messages;
    }

    /** Takes over entries another consumer (likely dead) has held longer than the idle timeout. */
    private void reclaimAbandoned() {
        String start = "0-0";
        do {
            ClaimedMessages<String, String> claimed = commands.xautoclaim(
                    settings.stream(),
                    XAutoClaimArgs.Builder.xautoclaim(consumer, settings.claimIdleTimeout(), start)
                            .count(settings.batchSize()));
            List<StreamMessage<String, String>> messages = claimed.getMessages();
            if (!messages.isEmpty()) {
                log.info(
                        "{}: reclaimed {} entries idle for over {}",
                        this,
                        messages.size(),
                        settings.claimIdleTimeout());
                process(messages, true);
            }
            start = claimed.getId();
        } while (running && !"0-0".equals(start));
    }

    private void deleteIdleConsumers() {
        Long removed = script(
                DELETE_IDLE_SHA,
                DELETE_IDLE,
                new String[] {settings.stream()},
                settings.group(),
                Long.toString(Math.max(settings.claimIdleTimeout().toMillis(), 1)),
                consumer.getName());
        if (removed != null && removed > 0) {
            log.info("{}: removed {} consumer names with nothing pending from the group", this, removed);
        }
    }

    /** Handles one read's entries; {@code retried}: they may have been tried before (backlog, reclaimed). */
    private void process(List<StreamMessage<String, String>> messages, boolean retried) {
        List<StreamEntry> entries = new ArrayList<>(messages.size());
        List<String> gone = new ArrayList<>();
        for (StreamMessage<String, String> message : messages) {
            if (message.getBody() == null || message.getBody().isEmpty()) {
                // deleted while pending (trimmed after it was handled elsewhere): nothing left to do
                gone.add(message.getId());
            } else {
                entries.add(new StreamEntry(message.getId(), message.getBody()));
            }
        }
        if (!gone.isEmpty()) {
            acknowledge(gone, retried);
        }
        if (!entries.isEmpty()) {
            handleBisecting(entries, retried, true);
        }
        handler.afterBatch();
    }

    private void handleBisecting(List<StreamEntry> entries, boolean retried, boolean whole) {
        try {
            handler.handle(entries);
        } catch (RuntimeException e) {
            StreamFailures.Kind kind = StreamFailures.classify(e);
            if (kind == StreamFailures.Kind.TRANSIENT) {
                throw e;
            }
            if (entries.size() > 1) {
                if (whole) {
                    log.warn(
                            "{}: a batch of {} was refused ({}); bisecting it to find the entries at fault",
                            this,
                            entries.size(),
                            StreamFailures.rootMessage(e));
                }
                int middle = entries.size() / 2;
                handleBisecting(List.copyOf(entries.subList(0, middle)), retried, false);
                handleBisecting(List.copyOf(entries.subList(middle, entries.size())), retried, false);
                return;
            }
            refused(entries.get(0), kind, e);
            return;
        }
        acknowledge(entries.stream().map(StreamEntry::id).toList(), retried);
    }

    private void acknowledge(List<String> ids, boolean retried) {
        String[] array = ids.toArray(String[]::new);
        commands.xack(settings.stream(), settings.group(), array);
        if (retried) {
            // an entry tried before may have a count: forget it (cheap, and only on this rarer path)
            commands.hdel(triesKey, array);
        }
    }

    /** One entry failed on its own merits: counts a try, and dead-letters it once out of tries. */
    private void refused(StreamEntry entry, StreamFailures.Kind kind, RuntimeException e) {
        String reason = StreamFailures.rootMessage(e);
        if (kind == StreamFailures.Kind.UNREADABLE) {
            deadLetter(entry, reason, 1);
            return;
        }
        long tries = commands.hincrby(triesKey, entry.id(), 1);
        if (tries >= settings.maxTries()) {
            deadLetter(entry, reason, tries);
            return;
        }
        log.warn("{}: entry {} refused (try {} of {}): {}", this, entry.id(), tries, settings.maxTries(), reason);
        long due = System.nanoTime() + backoff((int) tries).toNanos();
        if (!backlogScheduled || due - backlogDueNanos < 0) {
            backlogDueNanos = due;
        }
        backlogScheduled = true;
    }

    private void deadLetter(StreamEntry entry, String reason, long tries) {
        String shortReason = reason.length() > MAX_REASON_LENGTH ? reason.substring(0, MAX_REASON_LENGTH) : reason;
        handler.deadLettered(entry, shortReason);
        Map<String, String> body = new LinkedHashMap<>(entry.fields());
        body.put("source_id", entry.id());
        body.put("reason", shortReason);
        body.put("tries", Long.toString(tries));
        List<String> args = new ArrayList<>(3 + body.size() * 2);
        args.add(settings.group());
        args.add(entry.id());
        args.add(Long.toString(settings.deadLetterMaxLength()));
        body.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        Long written = script(
                DEAD_LETTER_SHA,
                DEAD_LETTER,
                new String[] {settings.deadLetterStream(), settings.stream(), triesKey},
                args.toArray(String[]::new));
        if (written != null && written == 1) {
            log.error("{}: entry {} dead-lettered after {} tries: {}", this, entry.id(), tries, shortReason);
        }
    }

    private Long script(String sha, String source, String[] keys, String... args) {
        try {
            return commands.evalsha(sha, ScriptOutputType.INTEGER, keys, args);
        } catch (RedisNoScriptException notLoaded) {
            return commands.eval(source, ScriptOutputType.INTEGER, keys, args);
        }
    }

    /** Waits out a failure; {@link #signalStop()} cuts the wait short. */
    private void pause(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        long left;
        while (running && (left = until - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
            if (Thread.interrupted()) {
                running = false;
            }
        }
    }
}
