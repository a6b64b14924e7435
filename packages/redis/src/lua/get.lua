--[[
  Unfenced read of a session: the caller knows the key but not the tenant.
  KEYS[1] lookup key      <ns>:lookup:{<key>}
  ARGV[1] data key prefix <ns>:   (the namespace followed by a colon)
  ARGV[2] session key     <key>   (validated: no braces, no whitespace)
  Returns {} when no live session | the data hash as a flat HGETALL array
  {field1, value1, ...} with fields session, cas, id, updatedAt, ttl.

  Exception to "pass every key through KEYS": the data key
  <ns>:<owner>:{<key>} is built here from the owner stored at KEYS[1]. It
  carries the same literal {<key>} hash tag as KEYS[1], so it always lives in
  the same cluster slot and the script never leaves the node it runs on.
]]
local owner = redis.call('GET', KEYS[1])
if not owner then
  return {}
end
return redis.call('HGETALL', ARGV[1] .. owner .. ':{' .. ARGV[2] .. '}')
