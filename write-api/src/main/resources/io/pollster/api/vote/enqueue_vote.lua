-- Makes one vote request atomic: the Idempotency-Key lookup, the duplicate check over every
-- answered question, the voter-set adds, the one stream entry of the whole vote, the short-lived
-- "accepted" marker and the Idempotency-Key record happen together or not at all, so two concurrent
-- requests of one user can never both pass the check. Every key carries the poll's shard hash tag
-- {N}, so the script is valid on Redis Cluster.
--
-- KEYS[1]    poll:votes:stream-{N}
-- KEYS[2]    accepted marker of this vote id
-- KEYS[3]    Idempotency-Key record (the marker again when the request has no key)
-- KEYS[3+i]  voter set of the i-th distinct answered question (a multi-choice question once, however
--            many of its choices the vote chose)
-- ARGV[1] vote_id  ARGV[2] poll_id  ARGV[3] user_id  ARGV[4] submitted_at
-- ARGV[5] body hash ('' = no Idempotency-Key)  ARGV[6] idempotency TTL s  ARGV[7] marker TTL s
-- ARGV[8] the entry's answers field ('<question_id>:<choice_id>' pairs joined by ',', core VoteStreamEntry)
-- ARGV[9] number of answers (responses rows the vote becomes, for the marker)
-- ARGV[10] the client address an anonymous vote keeps in responses.ip_address ('' = none)
--
-- Returns {'accepted', vote_id} | {'replay', first vote_id} | {'key-reused', ''} |
--         {'already-voted', i} (i: the index of the distinct question in KEYS[3+i], as a string)

local with_key = ARGV[5] ~= ''
if with_key then
  local prior = redis.call('HMGET', KEYS[3], 'body_hash', 'vote_id')
  if prior[1] then
    if prior[1] == ARGV[5] then
      return {'replay', prior[2]}
    end
    return {'key-reused', ''}
  end
end

-- SADD answers the duplicate check itself (0: already a member). On a duplicate the adds made so far
-- are taken back, which nothing can observe in between: one call per question instead of a
-- SISMEMBER and a SADD, and a refusal, the rare case, pays the SREMs.
local user = ARGV[3]
for i = 4, #KEYS do
  if redis.call('SADD', KEYS[i], user) == 0 then
    for j = 4, i - 1 do
      redis.call('SREM', KEYS[j], user)
    end
    return {'already-voted', tostring(i - 3)}
  end
end

if ARGV[10] == '' then
  redis.call('XADD', KEYS[1], '*', 'vote_id', ARGV[1], 'poll_id', ARGV[2], 'user_id', user,
    'submitted_at', ARGV[4], 'answers', ARGV[8])
else
  redis.call('XADD', KEYS[1], '*', 'vote_id', ARGV[1], 'poll_id', ARGV[2], 'user_id', user,
    'submitted_at', ARGV[4], 'answers', ARGV[8], 'ip_address', ARGV[10])
end
-- '<poll_id> <answers>': the status endpoint reads 'recorded' only once every answer is in PostgreSQL
redis.call('SET', KEYS[2], ARGV[2] .. ' ' .. ARGV[9], 'EX', ARGV[7])
if with_key then
  redis.call('HSET', KEYS[3], 'body_hash', ARGV[5], 'vote_id', ARGV[1])
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
return {'accepted', ARGV[1]}
