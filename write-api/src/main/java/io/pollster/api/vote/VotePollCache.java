package io.pollster.api.vote;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Polls as the vote path sees them, cached in process so a vote costs no PostgreSQL round trip. Polls
 * are immutable but for {@code closed_at}: an open (or unknown) poll is trusted for
 * {@code pollster.votes.poll-refresh} only, a closed one for good. Deadlines ({@code closes_at}) are
 * checked against the clock on every vote, so they need no refresh.
 */
@Component
class VotePollCache {

    /** Past this many polls the cache starts over rather than grow without bound. */
    private static final int MAX_POLLS = 100_000;

    private final PollDefinitions definitions;
    private final Clock clock;
    private final Duration refresh;
    private final ConcurrentHashMap<UUID, Cached> polls = new ConcurrentHashMap<>();

    VotePollCache(PollDefinitions definitions, Clock clock, VotesProperties properties) {
        this.definitions = definitions;
        this.clock = clock;
        this.refresh = properties.pollRefresh();
    }

    Optional<PollDefinition> find(UUID pollId) {
        Cached cached = polls.get(pollId);
        if (cached != null && cached.freshAt(clock.instant())) {
            return cached.poll();
        }
        if (polls.size() >= MAX_POLLS) {
            polls.clear();
        }
        // compute() makes concurrent votes on a stale poll wait for one read instead of all reading
        return polls.compute(pollId, (id, old) -> old != null && old.freshAt(clock.instant()) ? old : load(id))
                .poll();
    }

    private Cached load(UUID pollId) {
        Instant now = clock.instant();
        return new Cached(definitions.findById(pollId), now.plus(refresh));
    }

    private record Cached(Optional<PollDefinition> poll, Instant refreshAt) {
        boolean freshAt(Instant now) {
            boolean closedForGood = poll.isPresent() && poll.get().closedAt() != null;
            return closedForGood || now.isBefore(refreshAt);
        }
    }
}
