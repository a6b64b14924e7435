--[[
  Delete a live session.
  KEYS[1] session key   <ns>:{<key>}
  ARGV[1] fenced tenant id, or "" for any tenant
  Returns 1   deleted
        | 0   no live session (or, fenced, one of another tenant: left alone)
        | -2  the key holds something that is not a session; left alone
]]
--@include session-value
local stored = readSession(KEYS[1], false)
if stored == false then
  return -2
end
if not stored or (ARGV[1] ~= '' and stored.tenant ~= ARGV[1]) then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
