-- What every room script starts with (the loader puts this file before each of them).
--
-- KEYS[1] the room's connections: hash, field <userId>:<connectionId> -> the value's JSON
-- KEYS[2] the room's ends: sorted set, member <userId>:<connectionId> -> when the connection
--         ends (ms, Redis' clock), and member <owner> -> when that owner's lease ends
-- KEYS[3] the room's index: hash, field <userId>:<connectionId> -> its owner, and
--         field <userId> -> how many connections the user has
-- KEYS[4] the room's event channel
-- ARGV[1] the id put on the events (the instance that makes the change or notices an end)
--
-- Ids never contain ':', so a member or field with one is a connection, one without an owner
-- (in KEYS[2]) or a user (in KEYS[3]).

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local iid = ARGV[1]

-- An event, as EventMessage reads it: kind, instance id, <userId>:<connectionId>, value.
local function publish(kind, field, value)
  redis.pcall('PUBLISH', KEYS[4], kind .. '\n' .. iid .. '\n' .. field .. '\n' .. value)
end

-- Removes one connection and publishes its left: 'l' removed or 'e' expired, in capitals when
-- it was the user's last connection. Returns 1 if it was there, else 0.
local function drop(field, expired)
  local had = redis.call('HDEL', KEYS[1], field)
  redis.call('ZREM', KEYS[2], field)
  redis.call('HDEL', KEYS[3], field)
  if had == 0 then return 0 end
  local user = string.match(field, '^[^:]*')
  local left = redis.call('HINCRBY', KEYS[3], user, -1)
  local kind = expired and 'e' or 'l'
  if left <= 0 then
    redis.call('HDEL', KEYS[3], user)
    kind = string.upper(kind)
  end
  publish(kind, field, '')
  return 1
end

-- Drops what ended before now: connections past their lifetime, and every connection of an
-- owner whose lease ran out. Costs what ended (an ended lease reads the room's index once).
local function prune()
  local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. string.format('%.0f', now))
  for i = 1, #ended do
    local m = ended[i]
    if string.find(m, ':', 1, true) then
      drop(m, true)
    else
      local index = redis.call('HGETALL', KEYS[3])
      for j = 1, #index, 2 do
        if index[j + 1] == m and string.find(index[j], ':', 1, true) then
          drop(index[j], true)
        end
      end
      redis.call('ZREM', KEYS[2], m)
    end
  end
end
