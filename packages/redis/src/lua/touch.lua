--[[
  Bump updatedAt and restart the expiry of a live session; never resurrects.
  The cas, owner, id and JSON are kept as they are.
  KEYS[1] session key   <ns>:{<key>}
  ARGV[1] fenced tenant id, or "" for any tenant
  ARGV[2] updatedAt, epoch milliseconds, decimal
  ARGV[3] new ttl in seconds (0 = never expires), or "" to keep the stored one
  Returns 1   touched
        | 0   no live session (or, fenced, one of another tenant: left alone)
        | -2  the key holds something that is not a session; nothing written
]]
--@include session-value
local stored = readSession(KEYS[1], true)
if stored == false then
  return -2
end
if not stored or (ARGV[1] ~= '' and stored.tenant ~= ARGV[1]) then
  return 0
end
local ttl = ARGV[3]
if ttl == '' then
  ttl = stored.ttl
end
local tail = ttl .. ':' .. ARGV[2] .. ':' .. string.sub(stored.value, stored.tenantAt)
writeSession(KEYS[1], stored.cas, tail, string.format('%.0f', tonumber(ttl) * 1000))
return 1
