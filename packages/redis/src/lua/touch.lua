--[[
  Bump updatedAt and restart the expiry of a live session; never resurrects.
  The session JSON is left untouched (updatedAt and ttl live in their own fields).
  KEYS[1] lookup key      <ns>:lookup:{<key>}
  ARGV[1] data key prefix <ns>:   (the namespace followed by a colon)
  ARGV[2] session key     <key>   (validated: no braces, no whitespace)
  ARGV[3] fenced tenant id, or '' for any tenant
  ARGV[4] updatedAt, ISO-8601 UTC stamped by the caller
  ARGV[5] new ttl in seconds (0 = never expires), or '' to keep the stored one
  Returns 1 touched | 0 no live session (or, fenced, one of another tenant)

  Exception to "pass every key through KEYS": the data key
  <ns>:<owner>:{<key>} is built here from the owner stored at KEYS[1]. It
  carries the same literal {<key>} hash tag as KEYS[1], so it always lives in
  the same cluster slot and the script never leaves the node it runs on.
]]
local owner = redis.call('GET', KEYS[1])
if not owner or (ARGV[3] ~= '' and owner ~= ARGV[3]) then
  return 0
end
local data = ARGV[1] .. owner .. ':{' .. ARGV[2] .. '}'
local stored = redis.call('HGET', data, 'ttl')
if not stored then
  return 0
end
local ttlArg = ARGV[5]
if ttlArg == '' then
  ttlArg = stored
end
redis.call('HSET', data, 'updatedAt', ARGV[4], 'ttl', ttlArg)
local ttl = tonumber(ttlArg)
if ttl == 0 then
  redis.call('PERSIST', data)
  redis.call('PERSIST', KEYS[1])
else
  -- One absolute instant from the server clock for both keys, so they expire together.
  local now = redis.call('TIME')
  local at = string.format('%.0f', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + ttl * 1000)
  redis.call('PEXPIREAT', data, at)
  redis.call('PEXPIREAT', KEYS[1], at)
end
return 1
