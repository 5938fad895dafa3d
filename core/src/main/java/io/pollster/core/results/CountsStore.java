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
 * A poll's counts in Redis ({@code poll:{id}:counts}). Written only through {@link #keepGreater}, the
 * one path shared by the projector, the cache-aside rebuild and reconciliation.
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
        Map<Object, Object> hash = redis.opsForHash().entries(RedisKeys.counts(pollId));
        Map<UUID, Long> counts = new HashMap<>(hash.size() * 2);
        hash.forEach(
                (field, count) -> counts.put(RedisKeys.choiceOfField((String) field), Long.parseLong((String) count)));
        return counts;
    }

    /**
     * Merges {@code counts} keeping the greater value per choice, atomically, and returns the whole
     * hash after the merge.
     */
    public Map<UUID, Long> keepGreater(UUID pollId, Map<UUID, Long> counts) {
        if (counts.isEmpty()) {
            return read(pollId);
        }
        List<String> args = new ArrayList<>(counts.size() * 2);
        counts.forEach((choice, count) -> {
            args.add(RedisKeys.choiceField(choice));
            args.add(Long.toString(count));
        });
        List<?> flat = redis.execute(KEEP_GREATER, List.of(RedisKeys.counts(pollId)), args.toArray());
        Map<UUID, Long> merged = new HashMap<>(flat.size());
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            merged.put(
                    RedisKeys.choiceOfField(String.valueOf(flat.get(i))),
                    Long.parseLong(String.valueOf(flat.get(i + 1))));
        }
        return merged;
    }
}
