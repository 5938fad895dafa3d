-- Drops a vote stream's acknowledged history in one step, so Redis memory does not grow with it:
-- every entry older than the oldest one the consumer group still needs (its oldest pending entry,
-- or, with nothing pending, the first one not yet delivered) is trimmed with XTRIM MINID. Whole
-- stream nodes go at once, which costs far less than an XDEL of every acknowledged id. Reading the
-- group and trimming in one script means no delivery or acknowledgement lands in between.
--
-- KEYS[1]  poll:votes:stream-{N}
-- ARGV[1]  consumer group
--
-- Returns the number of entries trimmed.

local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
if not ok then
  return 0 -- no stream yet
end
local last_delivered
for _, group in ipairs(groups) do
  local name, last
  for i = 1, #group, 2 do
    if group[i] == 'name' then
      name = group[i + 1]
    elseif group[i] == 'last-delivered-id' then
      last = group[i + 1]
    end
  end
  if name == ARGV[1] then
    last_delivered = last
  end
end
if not last_delivered then
  return 0
end

local bound
local pending = redis.call('XPENDING', KEYS[1], ARGV[1])
if pending[1] > 0 then
  bound = pending[2]
else
  local ms, seq = string.match(last_delivered, '^(%d+)-(%d+)$')
  if seq and #seq <= 12 then
    bound = ms .. '-' .. string.format('%d', tonumber(seq) + 1)
  else
    bound = last_delivered -- keeps one acknowledged entry until the next trim
  end
end
return redis.call('XTRIM', KEYS[1], 'MINID', bound)
