-- Removes from a consumer group the names of consumers that hold no pending entry and have not read
-- for a while: instances that died (their entries already reclaimed with XAUTOCLAIM) or restarted
-- under another name. Checking "no pending entry" and deleting in one script means no entry can be
-- delivered to a name between the check and the XGROUP DELCONSUMER (which would drop it from the
-- pending list unacknowledged). A live consumer removed anyway is simply recreated by its next read.
--
-- KEYS[1]  the stream
-- ARGV[1]  consumer group   ARGV[2]  least idle time in ms   ARGV[3]  the caller's own name (kept)
--
-- Returns the number of names removed.

local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if not ok then
  return 0 -- no stream or no group yet
end
local min_idle = tonumber(ARGV[2])
local removed = 0
for _, consumer in ipairs(consumers) do
  local name, pending, idle
  for i = 1, #consumer, 2 do
    local field = consumer[i]
    if field == 'name' then
      name = consumer[i + 1]
    elseif field == 'pending' then
      pending = consumer[i + 1]
    elseif field == 'idle' then
      idle = consumer[i + 1]
    end
  end
  if name and name ~= ARGV[3] and pending == 0 and idle and idle >= min_idle then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
    removed = removed + 1
  end
end
return removed
