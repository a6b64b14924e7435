--[[
  Compare-and-set write: only over a live session of the same incarnation (id)
  and the expected cas, fenced to its owner. An expected cas of 0 means
  "absent": the session is created at cas 1 only if no live one is stored.
  KEYS[1] session key   <ns>:{<key>}
  ARGV[1] new value     "g1:<expected + 1>:<ttlSecs>:<updatedAtMs>:<tenant>:<id>:<json>",
                        built in JS: the cas it carries is the one a write gives
  ARGV[2] tenant id     owner of the session being written
  ARGV[3] ttl in milliseconds, decimal; "0" = never expires
  ARGV[4] session id    UUID of the incarnation being written
  ARGV[5] expected cas, canonical decimal
  Returns {1, newCas}   written (newCas = expected + 1; 1 when created)
        | {0, 0}        missing: no live session under the key (and expected > 0)
        | {2, current}  replaced: another incarnation (id) is stored
        | {3, current}  stale: the stored cas differs from the expected one
        | {-1}          another tenant owns the key; nothing written
        | {-2}          the key holds something that is not a session; nothing written
]]
--@include session-value
local stored = readSession(KEYS[1], false)
if stored == false then
  return {-2}
end
if not stored then
  if ARGV[5] == '0' then
    writeValue(KEYS[1], ARGV[1], ARGV[3])
    return {1, 1}
  end
  return {0, 0}
end
if stored.tenant ~= ARGV[2] then
  return {-1}
end
if stored.id ~= ARGV[4] then
  return {2, stored.cas}
end
if stored.casText ~= ARGV[5] then
  return {3, stored.cas}
end
writeValue(KEYS[1], ARGV[1], ARGV[3])
return {1, stored.cas + 1}
