-- Refreshes an owner's lease in one room. KEYS[1] = the room's ends (sorted set), ARGV[1] =
-- the owner, ARGV[2] = the lease (ms). XX: a room whose keys are gone (every connection ended)
-- is not created again; GT: a late refresh never shortens a lease.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZADD', KEYS[1], 'XX', 'GT', string.format('%.0f', now + tonumber(ARGV[2])),
  ARGV[1])
