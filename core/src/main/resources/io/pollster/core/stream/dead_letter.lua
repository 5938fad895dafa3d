-- Gives up on one stream entry exactly once: adds it to the dead-letter stream, acknowledges it and
-- forgets its try count in one step, so no crash can leave it dead-lettered but still pending (and
-- dead-lettered again by the next try). An entry that is no longer pending (an earlier attempt already
-- gave up on it, or it was acknowledged) gets no second record.
--
-- KEYS[1]  dead-letter stream      KEYS[2]  the source stream      KEYS[3]  the group's try counts
-- ARGV[1]  consumer group          ARGV[2]  entry id                ARGV[3]  dead-letter stream cap
-- ARGV[4…] field, value, … of the dead-letter entry
--
-- Returns 1 when the entry was dead-lettered now, 0 when it was not pending.

local pending = redis.call('XPENDING', KEYS[2], ARGV[1], ARGV[2], ARGV[2], 1)
redis.call('HDEL', KEYS[3], ARGV[2])
if #pending == 0 then
  return 0
end
local entry = {}
for i = 4, #ARGV do
  entry[#entry + 1] = ARGV[i]
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', unpack(entry))
redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
return 1
