--[[
  Delete a live session and its lookup key.
  KEYS[1] lookup key      <ns>:lookup:{<key>}
  ARGV[1] data key prefix <ns>:   (the namespace followed by a colon)
  ARGV[2] session key     <key>   (validated: no braces, no whitespace)
  ARGV[3] fenced tenant id, or '' for any tenant
  Returns 1 deleted | 0 no live session (or, fenced, one of another tenant: left alone)

  Exception to "pass every key through KEYS": the data key
  <ns>:<owner>:{<key>} is built here from the owner stored at KEYS[1]. It
  carries the same literal {<key>} hash tag as KEYS[1], so it always lives in
  the same cluster slot and the script never leaves the node it runs on.
]]
local owner = redis.call('GET', KEYS[1])
if not owner or (ARGV[3] ~= '' and owner ~= ARGV[3]) then
  return 0
end
local deleted = redis.call('DEL', ARGV[1] .. owner .. ':{' .. ARGV[2] .. '}')
redis.call('DEL', KEYS[1])
return deleted
