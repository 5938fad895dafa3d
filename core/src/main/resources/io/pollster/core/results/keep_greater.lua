-- Merges counters into a poll's counts hash keeping, for each counter, the greater of the stored and the
-- offered value, and returns the whole hash after the merge, all in one atomic step.
-- Counts in PostgreSQL only grow, so "greater" means "newer": a replayed WAL event, events applied out
-- of order and a cache-aside rebuild racing the projector can never lower a count or add one twice,
-- and a reader never sees a half-applied batch.
-- KEYS[1] = poll:{<poll_id>}:counts
-- ARGV    = field1, count1, field2, count2, ...
--           (field = choice:<choice_id> | question:<question_id> | voters: RedisKeys.counts)
for i = 1, #ARGV, 2 do
    local offered = tonumber(ARGV[i + 1])
    local stored = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
    if offered > stored then
        redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    end
end
return redis.call('HGETALL', KEYS[1])
