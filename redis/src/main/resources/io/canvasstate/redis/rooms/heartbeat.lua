-- A heartbeat. ARGV[2] = the connection's lifetime (ms), ARGV[3] = the lease (ms), ARGV[4] =
-- the owner, ARGV[5] = <userId>:<connectionId>, ARGV[6] = the user id, ARGV[7] = the value,
-- ARGV[8] = how long the keys outlive the last heartbeat (ms), ARGV[9] = '1' if their lifetime
-- is due to be restarted. Returns 1 if the connection joined, 0 if it was live already.
prune()
local field, user, owner = ARGV[5], ARGV[6], ARGV[4]
local before = redis.call('ZSCORE', KEYS[2], field)
-- A new connection, or one another store served until now: this owner takes it and holds a
-- lease in the room. A live connection of this owner needs neither (the hot path): the prune
-- above kept it, so this owner's lease is there, and the lease thread refreshes it.
if not before or redis.call('HGET', KEYS[3], field) ~= owner then
  redis.call('ZADD', KEYS[2], 'GT', string.format('%.0f', now + tonumber(ARGV[3])), owner)
  redis.call('HSET', KEYS[3], field, owner)
end
local kind = 'U'
if not before then
  kind = redis.call('HINCRBY', KEYS[3], user, 1) == 1 and 'J' or 'j'
end
redis.call('HSET', KEYS[1], field, ARGV[7])
redis.call('ZADD', KEYS[2], string.format('%.0f', now + tonumber(ARGV[2])), field)
-- The keys' lifetime: always when the connection is new (this may have created the keys), else
-- when the caller says it is due (ARGV[9] = '1', at most once a second per room and store: the
-- keys outlive the last heartbeat by far more than that).
if not before or ARGV[9] == '1' then
  redis.call('PEXPIRE', KEYS[1], ARGV[8])
  redis.call('PEXPIRE', KEYS[2], ARGV[8])
  redis.call('PEXPIRE', KEYS[3], ARGV[8])
end
publish(kind, field, ARGV[7])
if before then return 0 end
return 1
