package io.pollster.core.redis;

import java.util.UUID;

/**
 * Maps a poll to its shard of the sharded streams. Every vote of one poll goes to one shard, so the
 * voter sets and the vote stream it touches share a hash tag and one Lua script can cover them.
 *
 * @param count number of shards; changing it moves polls between shards, so drain the streams first
 */
public record Shards(int count) {

    public Shards {
        if (count < 1) {
            throw new IllegalArgumentException("shard count must be at least 1, was " + count);
        }
    }

    /** The shard of a poll: stable across processes and restarts (no {@code hashCode} of strings). */
    public int of(UUID pollId) {
        long mixed = pollId.getMostSignificantBits() ^ pollId.getLeastSignificantBits();
        return (int) Math.floorMod(mixed ^ (mixed >>> 32), (long) count);
    }
}
