package io.pollster.cdc.projection;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * Poll definitions kept in process: polls are immutable but for {@code closed_at}, which the projector
 * itself sees on the WAL, so a definition read once stays right.
 */
@Component
@ConditionalOnBooleanProperty(name = "pollster.cdc.enabled", matchIfMissing = true)
class PollDefinitionCache {

    /** Past this many polls the cache starts over rather than grow without bound. */
    private static final int MAX_POLLS = 50_000;

    private final PollDefinitions definitions;
    private final Map<UUID, PollDefinition> polls = new ConcurrentHashMap<>();

    PollDefinitionCache(PollDefinitions definitions) {
        this.definitions = definitions;
    }

    /** The poll, or empty if it was deleted since the change was committed. */
    Optional<PollDefinition> get(UUID pollId) {
        PollDefinition cached = polls.get(pollId);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<PollDefinition> loaded = definitions.findById(pollId);
        loaded.ifPresent(this::put);
        return loaded;
    }

    /** Records a close seen on the WAL and returns the closed poll. */
    Optional<PollDefinition> closed(UUID pollId, Instant closedAt) {
        Optional<PollDefinition> closed = get(pollId).map(poll -> poll.closed(closedAt));
        closed.ifPresent(this::put);
        return closed;
    }

    private void put(PollDefinition poll) {
        if (polls.size() >= MAX_POLLS) {
            polls.clear();
        }
        polls.put(poll.pollId(), poll);
    }
}
