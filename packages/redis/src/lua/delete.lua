--[[
  Delete a live session.
  KEYS[1] session key   <ns>:{<key>}
  ARGV[1] fenced tenant id, or "" for any tenant
  ARGV[2] incarnation id (session.id) the caller saw, or "" for any
          (a purge passes it: a session deleted and re-created meanwhile is left whole)
  Returns 1   deleted
        | 0   no live session (or, fenced, one of another tenant, or another
              incarnation than ARGV[2]: left alone)
        | -2  the key holds something that is not a session; left alone
]]
--@include session-value
local stored = readSession(KEYS[1], false)
if stored == false then
  return -2
end
if not stored or (ARGV[1] ~= '' and stored.tenant ~= ARGV[1])
  or (ARGV[2] and ARGV[2] ~= '' and stored.id ~= ARGV[2]) then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
