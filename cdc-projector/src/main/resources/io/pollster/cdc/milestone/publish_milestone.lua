-- Appends a milestone event to its shard's stream unless it was appended before, and marks it, in one
-- atomic step: the stream entry and its marker exist together or not at all, so re-publishing a
-- milestone whose PostgreSQL row was not yet marked published (a crash right after the XADD) cannot
-- put it on the stream twice.
-- KEYS[1] = milestone:stream-{N}      KEYS[2] = milestone:published:{N}
-- ARGV[1] = <poll_id>:<threshold>     ARGV[2] = poll_id   ARGV[3] = total_votes (the threshold)
if redis.call('HSETNX', KEYS[2], ARGV[1], '1') == 0 then
    return 0
end
redis.call('XADD', KEYS[1], '*', 'poll_id', ARGV[2], 'total_votes', ARGV[3])
return 1
