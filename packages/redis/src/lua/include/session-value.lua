-- Shared by every script (inlined by scripts/generate-lua.mjs at `--@include`).
-- A session is one STRING: "g1:<cas>:<ttlSecs>:<updatedAtMs>:<tenant>:<id>:<json>".
-- Scripts read only this header, never the JSON: cjson would turn [] into {}
-- and round numbers past 14 digits, and decoding costs time on every write.

-- Canonical decimal of at most `len` digits (no sign, no leading zero, no
-- spaces, no hex), so a value written by anything else is never taken for ours.
local function canonical(text, len)
  return #text <= len and (text == '0' or string.byte(text, 1) ~= 48)
end

-- Parses the header of `value` (the whole value, or at least its first 256
-- bytes). Returns false when it is not a well-formed g1 session, else
-- { cas = number, casText, ttl = text, tenant, id, tenantAt = index of the tenant }.
-- One match checks the layout, the id (lowercase UUID) and the opening brace
-- of the JSON; the numbers are then checked for canonical form and range.
local function parseHeader(value)
  local cas, ttl, at, tenantAt, tenant, id = string.match(value,
    '^g1:(%d+):(%d+):(%d+):()([%w][%w%._%-]*):([0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]%-'
      .. '[0-9a-f][0-9a-f][0-9a-f][0-9a-f]%-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]%-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]%-'
      .. '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]):{')
  if not cas or cas == '0' or not canonical(cas, 16) or not canonical(ttl, 10)
    or not canonical(at, 16) or #tenant > 128 then
    return false
  end
  local casNumber = tonumber(cas)
  if casNumber > 9007199254740991 or tonumber(ttl) > 2147483647 or tonumber(at) > 8640000000000000 then
    return false
  end
  return { cas = casNumber, casText = cas, ttl = ttl, tenant = tenant, id = id, tenantAt = tenantAt }
end

-- Reads the session at `key`: nil when there is none, false when the key holds
-- anything else (another type, or a string that is not a g1 session), else the
-- parsed header. `whole` also returns the full value (for rewriting it); without
-- it only the header bytes are read, so the cost does not grow with the session.
local function readSession(key, whole)
  local value
  if whole then
    value = redis.pcall('GET', key)
  else
    value = redis.pcall('GETRANGE', key, 0, 255)
    if value == '' and redis.call('EXISTS', key) == 0 then
      return nil
    end
  end
  if value == false then
    return nil
  end
  if type(value) ~= 'string' then
    return false
  end
  local header = parseHeader(value)
  if header and whole then
    header.value = value
  end
  return header
end

-- Writes a whole stored value ("g1:<cas>:…", built in JS). The expiry is
-- relative, so Redis computes it from its own clock; 0 means no expiry (a
-- plain SET also clears an earlier one).
local function writeValue(key, value, ttlMs)
  if ttlMs == '0' then
    redis.call('SET', key, value)
  else
    redis.call('SET', key, value, 'PX', ttlMs)
  end
end

-- Writes a session value with the given cas. `tail` is everything after the
-- cas ("<ttlSecs>:<updatedAtMs>:<tenant>:<id>:<json>"). The expiry is relative,
-- so Redis computes it from its own clock; 0 means no expiry (a plain SET
-- also clears an earlier one).
local function writeSession(key, cas, tail, ttlMs)
  writeValue(key, 'g1:' .. string.format('%.0f', cas) .. ':' .. tail, ttlMs)
end
