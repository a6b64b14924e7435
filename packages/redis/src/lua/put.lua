--[[
  Create or replace a session (last writer wins), fenced to its tenant.
  KEYS[1] data key    <ns>:<tenant>:{<key>}
  KEYS[2] lookup key  <ns>:lookup:{<key>}
  ARGV[1] tenant id (owner to record in the lookup key)
  ARGV[2] session JSON without updatedAt and ttlSecs, encoded in JS (never
          re-encoded here: cjson turns [] into {} and rounds long numbers)
  ARGV[3] session id (UUID of the incarnation)
  ARGV[4] updatedAt, ISO-8601 UTC stamped by the caller
  ARGV[5] ttl in seconds, 0 = never expires
  Returns {1, newCas} written (newCas = 1 for a new or expired key, else stored + 1)
        | {-1} the lookup key names another tenant; nothing written
]]
local owner = redis.call('GET', KEYS[2])
if owner and owner ~= ARGV[1] then
  return {-1}
end
-- HINCRBY starts a missing field (new or expired key) at 0, so the first write gets 1.
local cas = redis.call('HINCRBY', KEYS[1], 'cas', 1)
redis.call('HSET', KEYS[1], 'session', ARGV[2], 'id', ARGV[3], 'updatedAt', ARGV[4], 'ttl', ARGV[5])
redis.call('SET', KEYS[2], ARGV[1])
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
return {1, cas}
