package io.pollster.core.results;

import io.pollster.core.redis.LuaScripts;
import io.pollster.core.redis.RedisKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A poll's counters in Redis ({@code poll:{id}:counts}): choices, voters per question, voters of the poll.
 * Written only through {@link #keepGreater}, the one path shared by the projector, the cache-aside rebuild
 * and reconciliation.
 */
public class CountsStore {

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> KEEP_GREATER =
            LuaScripts.of(CountsStore.class, "keep_greater.lua", List.class);

    private final StringRedisTemplate redis;

    public CountsStore(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** The stored counts by choice; empty when Redis has none for this poll. */
    public Map<UUID, Long> read(UUID pollId) {
        return readAll(pollId).choices();
    }

    /** Every stored counter of the poll, in one read. */
    public PollCounts readAll(UUID pollId) {
        Map<Object, Object> hash = redis.opsForHash().entries(RedisKeys.counts(pollId));
        Map<String, String> fields = new HashMap<>(hash.size() * 2);
        hash.forEach((field, count) -> fields.put((String) field, (String) count));
        return PollCounts.ofHash(fields);
    }

    /**
     * Merges choice counts keeping the greater value per choice, atomically, and returns every choice count
     * after the merge.
     */
    public Map<UUID, Long> keepGreater(UUID pollId, Map<UUID, Long> counts) {
        return keepGreater(pollId, PollCounts.ofChoices(counts)).choices();
    }

    /**
     * Merges counters keeping the greater value per counter, atomically, and returns every counter of the
     * poll after the merge: a reader never sees half of a merge.
     */
    public PollCounts keepGreater(UUID pollId, PollCounts counts) {
        if (counts.isEmpty()) {
            return readAll(pollId);
        }
        Map<String, Long> offered = counts.toHash();
        List<String> args = new ArrayList<>(offered.size() * 2);
        offered.forEach((field, count) -> {
            args.add(field);
            args.add(Long.toString(count));
        });
        List<?> flat = redis.execute(KEEP_GREATER, List.of(RedisKeys.counts(pollId)), args.toArray());
        Map<String, String> merged = new HashMap<>(flat.size());
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            merged.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return PollCounts.ofHash(merged);
    }
}
