-- Reports one gateway's connections watching one poll and returns the sum over every gateway whose report
-- has not expired. Atomic, so a report, the expiry of the others' and the sum all see one state of the hash.
-- Redis 7.0 has no per-field expiry: each field carries its own, judged on this server's clock only (TIME),
-- so the gateways' clocks never matter; expired fields are removed here, and the whole key expires with the
-- last report so a poll nobody watches any more leaves nothing behind.
-- KEYS[1]: poll:{id}:viewers, a hash of gateway id -> "<connections>:<expires at, ms>"
-- ARGV[1]: this gateway's id; ARGV[2]: its connections watching the poll (0 removes its field);
-- ARGV[3]: how long the report holds, in ms
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local ttl = tonumber(ARGV[3])
local mine = tonumber(ARGV[2])
if mine > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], string.format('%d:%d', mine, now + ttl))
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
local sum = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local count, expires = string.match(fields[i + 1], '^(%d+):(%d+)$')
  if count and tonumber(expires) > now then
    sum = sum + tonumber(count)
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
if sum > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return sum
