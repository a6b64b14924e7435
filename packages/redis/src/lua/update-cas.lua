--[[
  Compare-and-set write of a session: writes only over a live session of the
  same incarnation (id) and the expected cas.
  KEYS[1] data key    <ns>:<tenant>:{<key>}
  KEYS[2] lookup key  <ns>:lookup:{<key>}
  ARGV[1] tenant id (must own the key)
  ARGV[2] session JSON without updatedAt and ttlSecs, encoded in JS (never
          re-encoded here: cjson turns [] into {} and rounds long numbers)
  ARGV[3] session id (UUID of the incarnation)
  ARGV[4] updatedAt, ISO-8601 UTC stamped by the caller
  ARGV[5] ttl in seconds, 0 = never expires
  ARGV[6] expected cas, decimal
  ARGV[7] new cas (expected + 1), decimal
  Returns {1, newCas} written
        | {0, 0}       missing: no live session under the key
        | {2, current} replaced: another incarnation (id) is stored
        | {3, current} stale: the stored cas differs from the expected one
        | {-1}         the lookup key names another tenant; nothing written
]]
local owner = redis.call('GET', KEYS[2])
if not owner then
  return {0, 0}
end
if owner ~= ARGV[1] then
  return {-1}
end
local cas = redis.call('HGET', KEYS[1], 'cas')
if not cas then
  return {0, 0}
end
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[3] then
  return {2, tonumber(cas)}
end
if cas ~= ARGV[6] then
  return {3, tonumber(cas)}
end
redis.call('HSET', KEYS[1], 'session', ARGV[2], 'cas', ARGV[7], 'updatedAt', ARGV[4], 'ttl', ARGV[5])
local ttl = tonumber(ARGV[5])
if ttl == 0 then
  redis.call('PERSIST', KEYS[1])
  redis.call('PERSIST', KEYS[2])
else
  -- One absolute instant from the server clock for both keys, so they expire together.
  local now = redis.call('TIME')
  local at = string.format('%.0f', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + ttl * 1000)
  redis.call('PEXPIREAT', KEYS[1], at)
  redis.call('PEXPIREAT', KEYS[2], at)
end
return {1, tonumber(ARGV[7])}
