-- Makes one vote request atomic: the Idempotency-Key lookup, the duplicate check over
-- every answered question, the voter-set adds, the XADD of every answer, the short-lived
-- "accepted" marker and the Idempotency-Key record happen together or not at all, so two
-- concurrent requests of one user can never both pass the check. Every key carries the
-- poll's shard hash tag {N}, so the script is valid on Redis Cluster.
--
-- KEYS[1]    poll:votes:stream-{N}
-- KEYS[2]    accepted marker of this vote id
-- KEYS[3]    Idempotency-Key record (the marker again when the request has no key)
-- KEYS[3+i]  voter set of the question of answer i (a multi-choice question has one answer per
--            chosen choice, so its set appears once per choice: checking or adding it again is harmless)
-- ARGV[1] vote_id  ARGV[2] poll_id  ARGV[3] user_id  ARGV[4] submitted_at
-- ARGV[5] body hash ('' = no Idempotency-Key)  ARGV[6] idempotency TTL s  ARGV[7] marker TTL s
-- ARGV[6+2i] question_id and ARGV[7+2i] choice_id of answer i
-- ARGV[last] the client address an anonymous vote keeps in responses.ip_address ('' = none); last,
--            so the answers' positions do not depend on it
--
-- Returns {'accepted', vote_id} | {'replay', first vote_id} | {'key-reused', ''} |
--         {'already-voted', question_id}

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

local answers = #KEYS - 3
for i = 1, answers do
  if redis.call('SISMEMBER', KEYS[3 + i], ARGV[3]) == 1 then
    return {'already-voted', ARGV[6 + 2 * i]}
  end
end

local ip_address = ARGV[#ARGV]
for i = 1, answers do
  redis.call('SADD', KEYS[3 + i], ARGV[3])
  if ip_address == '' then
    redis.call('XADD', KEYS[1], '*',
      'vote_id', ARGV[1], 'poll_id', ARGV[2], 'question_id', ARGV[6 + 2 * i],
      'choice_id', ARGV[7 + 2 * i], 'user_id', ARGV[3], 'submitted_at', ARGV[4])
  else
    redis.call('XADD', KEYS[1], '*',
      'vote_id', ARGV[1], 'poll_id', ARGV[2], 'question_id', ARGV[6 + 2 * i],
      'choice_id', ARGV[7 + 2 * i], 'user_id', ARGV[3], 'submitted_at', ARGV[4],
      'ip_address', ip_address)
  end
end
-- '<poll_id> <answers>': the status endpoint reads 'recorded' only once every answer is in PostgreSQL
redis.call('SET', KEYS[2], ARGV[2] .. ' ' .. answers, 'EX', ARGV[7])
if with_key then
  redis.call('HSET', KEYS[3], 'body_hash', ARGV[5], 'vote_id', ARGV[1])
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
return {'accepted', ARGV[1]}
