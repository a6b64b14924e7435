--[[
  Create or replace a session (last writer wins), fenced to its owner.
  KEYS[1] session key   <ns>:{<key>}
  ARGV[1] value tail    "<ttlSecs>:<updatedAtMs>:<tenant>:<id>:<json>", built in JS
  ARGV[2] tenant id     owner of the session being written
  ARGV[3] ttl in milliseconds, decimal; "0" = never expires
  Returns {1, newCas}  written (1 for a new or expired key, else stored cas + 1)
        | {-1}         another tenant owns the key; nothing written
        | {-2}         the key holds something that is not a session; nothing written
]]
--@include session-value
local stored = readSession(KEYS[1], false)
if stored == false then
  return {-2}
end
local cas = 1
if stored then
  if stored.tenant ~= ARGV[2] then
    return {-1}
  end
  cas = stored.cas + 1
end
writeSession(KEYS[1], cas, ARGV[1], ARGV[3])
return {1, cas}
