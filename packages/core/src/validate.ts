import {
  type Cas,
  DEFAULT_SESSION_LIMITS,
  type OutboxEntry,
  RESERVED_TENANT_IDS,
  SESSION_LIMITS,
  SESSION_PATTERNS,
  type SessionCursor,
  type SessionKey,
  type SessionLimits,
  type SessionMeta,
  type SessionSnapshot,
} from '@greentic/session-types';
import { describeValue, invalidInput, type OpContext, readInput, sessionError } from './context.js';
import { frozenDataCopy, frozenLabelsCopy, prototypeName } from './json.js';

const SESSION_FIELDS = ['id', 'key', 'cursor', 'meta', 'outbox', 'updatedAt', 'ttlSecs'] as const;
const SESSION_OPTIONAL_FIELDS = ['data'] as const;
const CURSOR_FIELDS = ['flowId', 'nodeId', 'waitReason', 'outboxSeq'] as const;
const META_FIELDS = ['tenantId', 'teamId', 'userId', 'labels'] as const;
const OUTBOX_FIELDS = ['seq', 'payloadSha256', 'createdAt'] as const;

/**
 * Checks a session key: 1..512 printable ASCII characters without whitespace
 * or braces (braces would break the Redis Cluster hash tag).
 *
 * @returns the key, typed
 * @throws SessionError `invalid_input`
 */
export function validateSessionKey(key: unknown, ctx: OpContext, field = 'key'): SessionKey {
  if (typeof key !== 'string' || key.length === 0) {
    throw invalidInput(ctx, `${field} must be a non-empty string, got ${describeValue(key)}`);
  }
  if (key.length > SESSION_LIMITS.maxKeyLength) {
    throw invalidInput(
      ctx,
      `${field} must be at most ${SESSION_LIMITS.maxKeyLength} characters, got ${key.length}`,
    );
  }
  if (!SESSION_PATTERNS.sessionKey.test(key)) {
    throw invalidInput(
      ctx,
      `${field} must be printable ASCII without whitespace, '{' or '}', got ${describeValue(key)}`,
    );
  }
  return key;
}

/**
 * Checks a tenant id: 1..128 of `A-Z a-z 0-9 . _ -`, starting with a letter or
 * digit, and not a reserved name (`lookup`).
 *
 * @throws SessionError `invalid_input`
 */
export function validateTenantId(tenantId: unknown, ctx: OpContext, field = 'tenantId'): string {
  if (typeof tenantId !== 'string' || tenantId.length === 0) {
    throw invalidInput(ctx, `${field} must be a non-empty string, got ${describeValue(tenantId)}`);
  }
  if (tenantId.length > SESSION_LIMITS.maxTenantIdLength) {
    throw invalidInput(
      ctx,
      `${field} must be at most ${SESSION_LIMITS.maxTenantIdLength} characters, got ${tenantId.length}`,
    );
  }
  if (!SESSION_PATTERNS.tenantId.test(tenantId)) {
    throw invalidInput(
      ctx,
      `${field} must match [A-Za-z0-9][A-Za-z0-9._-]*, got ${describeValue(tenantId)}`,
    );
  }
  if (RESERVED_TENANT_IDS.includes(tenantId)) {
    throw invalidInput(ctx, `${field} ${JSON.stringify(tenantId)} is reserved`);
  }
  return tenantId;
}

/**
 * Checks a TTL: an integer 0..2147483647 seconds (0 = never expires).
 *
 * @throws SessionError `invalid_input`
 */
export function validateTtlSecs(ttlSecs: unknown, ctx: OpContext, field = 'ttlSecs'): number {
  if (
    !Number.isInteger(ttlSecs) ||
    (ttlSecs as number) < 0 ||
    (ttlSecs as number) > SESSION_LIMITS.maxTtlSecs
  ) {
    throw invalidInput(
      ctx,
      `${field} must be an integer 0..${SESSION_LIMITS.maxTtlSecs}, got ${describeValue(ttlSecs)}`,
    );
  }
  // -0 + 0 is +0: JSON has no negative zero, so every backend stores 0.
  return (ttlSecs as number) + 0;
}

/**
 * Checks a non-negative safe integer (cas, seq, outboxSeq).
 *
 * @throws SessionError `invalid_input`
 */
export function validateCount(value: unknown, ctx: OpContext, field: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw invalidInput(
      ctx,
      `${field} must be a non-negative safe integer, got ${describeValue(value)}`,
    );
  }
  return (value as number) + 0;
}

/**
 * Checks an expected cas for `updateCas`: a non-negative safe integer.
 *
 * @throws SessionError `invalid_input`
 */
export function validateCas(cas: unknown, ctx: OpContext, field = 'expected'): Cas {
  return validateCount(cas, ctx, field);
}

/** Days of each month in a common year (checked once per write: no array per call). */
const DAYS_IN_MONTH: readonly number[] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when `value` is an ISO-8601 UTC timestamp (`YYYY-MM-DDTHH:MM:SS[.fff]Z`)
 * naming a real calendar instant (no 31 February, no leap second).
 */
export function isIsoUtcTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !SESSION_PATTERNS.isoUtc.test(value)) return false;
  const d = (i: number) => value.charCodeAt(i) - 48;
  const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const hour = d(11) * 10 + d(12);
  const minute = d(14) * 10 + d(15);
  const second = d(17) * 10 + d(18);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  if (day <= (DAYS_IN_MONTH[month - 1] as number)) return true;
  // 29 February, in a leap year only.
  return month === 2 && day === 29 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0);
}

function validateTimestamp(value: unknown, ctx: OpContext, field: string): string {
  if (!isIsoUtcTimestamp(value)) {
    throw invalidInput(
      ctx,
      `${field} must be an ISO-8601 UTC timestamp like 2026-01-02T03:04:05.678Z, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Checks a free-text id (`flowId`, `nodeId`, `teamId`, `userId`, ...): a string
 * of at most `SESSION_LIMITS.maxTextLength` characters, non-empty unless `allowEmpty`.
 *
 * @throws SessionError `invalid_input`
 */
export function validateText(
  value: unknown,
  ctx: OpContext,
  field: string,
  allowEmpty: boolean,
): string {
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) {
    throw invalidInput(
      ctx,
      `${field} must be a ${allowEmpty ? '' : 'non-empty '}string, got ${describeValue(value)}`,
    );
  }
  if (value.length > SESSION_LIMITS.maxTextLength) {
    throw invalidInput(
      ctx,
      `${field} must be at most ${SESSION_LIMITS.maxTextLength} characters, got ${value.length}`,
    );
  }
  return value;
}

function validateNullableText(
  value: unknown,
  ctx: OpContext,
  field: string,
  allowEmpty = false,
): string | null {
  return value === null ? null : validateText(value, ctx, field, allowEmpty);
}

/**
 * Checks that `value` is a plain object with exactly `fields` (own, enumerable)
 * and returns a null-prototype record holding each field's value, read once.
 * Validation then only looks at that record, so a getter or Proxy that answers
 * differently on a second read never gets one.
 */
function readRecord(
  value: unknown,
  fields: readonly string[],
  ctx: OpContext,
  field: string,
  optional: readonly string[] = [],
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidInput(ctx, `${field} must be an object, got ${describeValue(value)}`);
  }
  // Plain objects only, own properties only: what JSON can carry and JSON Schema sees.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw invalidInput(ctx, `${field} must be a plain object, got ${prototypeName(proto)}`);
  }
  const keys = Object.keys(value);
  let given = 0;
  for (const k of keys) {
    if (fields.includes(k)) given++;
    else if (!optional.includes(k)) throw invalidInput(ctx, `${field}.${k} is not a known field`);
  }
  // Every key is a known field name (none is `__proto__`), so a plain object
  // literal is safe here, and much faster than a null-prototype dictionary.
  const record: Record<string, unknown> = {};
  for (const k of keys) record[k] = (value as Record<string, unknown>)[k];
  if (given !== fields.length) {
    for (const k of fields) {
      if (!Object.hasOwn(record, k)) throw invalidInput(ctx, `${field}.${k} is required`);
    }
  }
  return record;
}

function cursorCopy(
  value: unknown,
  ctx: OpContext,
  field: string,
  prev: Readonly<SessionCursor> | undefined,
): Readonly<SessionCursor> {
  if (prev !== undefined && value === prev) return prev;
  const c = readRecord(value, CURSOR_FIELDS, ctx, field);
  return Object.freeze({
    flowId: validateText(c.flowId, ctx, `${field}.flowId`, false),
    nodeId: validateText(c.nodeId, ctx, `${field}.nodeId`, false),
    waitReason: validateNullableText(c.waitReason, ctx, `${field}.waitReason`, true),
    outboxSeq: validateCount(c.outboxSeq, ctx, `${field}.outboxSeq`),
  });
}

function metaCopy(
  value: unknown,
  ctx: OpContext,
  field: string,
  prev: SessionSnapshot['meta'] | undefined,
  limits: SessionLimits,
): SessionSnapshot['meta'] {
  if (prev !== undefined && value === prev) return prev;
  const m = readRecord(value, META_FIELDS, ctx, field);
  const meta: SessionSnapshot['meta'] = {
    tenantId: validateTenantId(m.tenantId, ctx, `${field}.tenantId`),
    teamId: validateNullableText(m.teamId, ctx, `${field}.teamId`),
    userId: validateNullableText(m.userId, ctx, `${field}.userId`),
    labels: (prev !== undefined && m.labels === prev.labels
      ? prev.labels
      : frozenLabelsCopy(m.labels, `${field}.labels`, ctx, limits)) as SessionMeta['labels'],
  };
  return Object.freeze(meta);
}

function outboxCopy(
  value: unknown,
  ctx: OpContext,
  field: string,
  prev: readonly Readonly<OutboxEntry>[] | undefined,
  limits: SessionLimits,
): readonly Readonly<OutboxEntry>[] {
  if (!Array.isArray(value))
    throw invalidInput(ctx, `${field} must be an array, got ${describeValue(value)}`);
  const length: unknown = value.length;
  // `!(… <= …)` also rejects a NaN length a Proxy may report.
  if (!((length as number) <= limits.maxOutboxEntries)) {
    throw invalidInput(
      ctx,
      `${field} must hold at most ${limits.maxOutboxEntries} entries, got ${describeValue(length)}`,
    );
  }
  if (prev !== undefined && value === prev) return prev;
  // Dedupe by (seq, digest), keeping the first occurrence and the order. While
  // seqs strictly increase no entry can repeat an earlier one, so the set of
  // ids is only built once they stop increasing.
  const out: Readonly<OutboxEntry>[] = [];
  let seen: Set<string> | undefined;
  let lastSeq = -1;
  for (let i = 0; i < (length as number); i++) {
    const given: unknown = value[i];
    // Only an entry this package validated before (frozen, see
    // CHECKED_ENTRIES: every entry of a stored snapshot is one, wherever it
    // sits now) is reused unvalidated; anything else, `undefined` and Proxies
    // of such entries included, is validated.
    const entry =
      typeof given === 'object' && given !== null && CHECKED_ENTRIES.has(given)
        ? (given as Readonly<OutboxEntry>)
        : outboxEntryCopy(given, ctx, `${field}[${i}]`);
    if (seen === undefined && entry.seq > lastSeq) {
      lastSeq = entry.seq;
      out.push(entry);
      continue;
    }
    seen ??= new Set(out.map(entryId));
    const id = entryId(entry);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(entry);
  }
  return Object.freeze(out);
}

/**
 * Outbox entries this module validated and froze (or `createOutboxEntry`
 * built): frozen objects of three primitive fields, so they cannot have
 * changed since and are reused unchecked when a later write carries them
 * again. Membership is identity: no getter or Proxy trap runs.
 */
const CHECKED_ENTRIES = new WeakSet<object>();

/**
 * True when `value` is an outbox entry this copy of core validated or built
 * (every entry of a snapshot it returned is one): a frozen object whose
 * fields are, in this order, `seq` (a safe non-negative integer),
 * `payloadSha256` (64 lowercase hex characters) and `createdAt` (an ISO-8601
 * UTC timestamp). None of its strings needs JSON escaping, so a backend may
 * encode it without `JSON.stringify`. Membership is identity: no getter or
 * Proxy trap runs, and an entry of another copy of core answers false.
 *
 * @param value - anything
 * @example
 * ```ts
 * const json = isValidatedOutboxEntry(e)
 *   ? `{"seq":${e.seq},"payloadSha256":"${e.payloadSha256}","createdAt":"${e.createdAt}"}`
 *   : JSON.stringify(e);
 * ```
 */
export function isValidatedOutboxEntry(value: unknown): value is Readonly<OutboxEntry> {
  return typeof value === 'object' && value !== null && CHECKED_ENTRIES.has(value);
}

/** Records an entry as validated; only for a frozen entry built by this package. */
export function markCheckedEntry(entry: Readonly<OutboxEntry>): Readonly<OutboxEntry> {
  CHECKED_ENTRIES.add(entry);
  return entry;
}

function entryId(entry: Readonly<OutboxEntry>): string {
  return `${entry.seq}:${entry.payloadSha256}`;
}

/**
 * Validates one outbox entry and returns a frozen copy.
 *
 * @throws SessionError `invalid_input`
 */
export function outboxEntryCopy(value: unknown, ctx: OpContext, at: string): Readonly<OutboxEntry> {
  return readInput(ctx, at, () => outboxEntryCopyUnguarded(value, ctx, at));
}

function outboxEntryCopyUnguarded(
  value: unknown,
  ctx: OpContext,
  at: string,
): Readonly<OutboxEntry> {
  const e = readRecord(value, OUTBOX_FIELDS, ctx, at);
  const seq = validateCount(e.seq, ctx, `${at}.seq`);
  const payloadSha256 = e.payloadSha256;
  if (typeof payloadSha256 !== 'string' || !SESSION_PATTERNS.sha256Hex.test(payloadSha256)) {
    throw invalidInput(
      ctx,
      `${at}.payloadSha256 must be 64 lowercase hex characters, got ${describeValue(payloadSha256)}`,
    );
  }
  const createdAt = validateTimestamp(e.createdAt, ctx, `${at}.createdAt`);
  return markCheckedEntry(Object.freeze({ seq, payloadSha256, createdAt }));
}

/**
 * Looks up the snapshot a store holds under a key (a validated, deeply frozen
 * result of {@link prepareSessionWrite}), or undefined.
 */
export type PreviousSnapshotLookup = (key: SessionKey) => SessionSnapshot | undefined;

/**
 * Validates a session for a write and returns the deeply frozen copy a store
 * keeps: fields in canonical order, outbox deduplicated by
 * `(seq, payloadSha256)` (first occurrence kept, order kept), `-0` stored as
 * `0`, `updatedAt` stamped with `nowMs`. The caller's object is neither frozen
 * nor kept.
 *
 * **Read once:** every property of `session` is read exactly once, and
 * everything after (the size limits, the store's fence and ownership checks,
 * the write itself) must use only the returned copy. A getter or Proxy that
 * answers differently on a second read therefore cannot make a check and the
 * write see different sessions. Anything a getter or Proxy trap throws becomes
 * `invalid_input` (the thrown value is its `cause`).
 *
 * @param session - what the caller passed
 * @param ctx - operation context for errors
 * @param nowMs - the write time, in epoch milliseconds
 * @param previous - called once, with the validated key, after the key was
 *   read: returns the snapshot the store holds under it. Parts of `session`
 *   that are the very same objects as its parts are reused without validating
 *   or copying them again, so the usual get → spread → updateCas pays only for
 *   what changed.
 * @param limits - the store's size limits @default DEFAULT_SESSION_LIMITS
 * @throws SessionError `invalid_input` naming the first bad field; nothing is written
 */
export function prepareSessionWrite(
  session: unknown,
  ctx: OpContext,
  nowMs: number,
  previous?: PreviousSnapshotLookup,
  limits: SessionLimits = DEFAULT_SESSION_LIMITS,
): SessionSnapshot {
  return readInput(ctx, 'session', () => copySession(session, ctx, isoAt(nowMs), previous, limits));
}

/**
 * The write fence: throws `tenant_mismatch` when a fenced write (`tenantId`
 * given) carries a session of another tenant. Call it on the copy
 * {@link prepareSessionWrite} returned, never on the caller's object.
 *
 * @param session - the validated copy about to be written
 * @param tenantId - the tenant the write is fenced to, or undefined for an unfenced write
 * @param ctx - operation context for errors
 * @throws SessionError `tenant_mismatch`; nothing is written
 */
export function assertTenantFence(
  session: SessionSnapshot,
  tenantId: string | undefined,
  ctx: OpContext,
): void {
  if (tenantId !== undefined && session.meta.tenantId !== tenantId) {
    throw sessionError(
      'tenant_mismatch',
      ctx,
      `session.meta.tenantId ${JSON.stringify(session.meta.tenantId)} is not the fenced tenant ${JSON.stringify(tenantId)}; nothing was written`,
    );
  }
}

let lastStampMs = Number.NaN;
let lastStamp = '';

/** `new Date(ms).toISOString()`, remembered for the last millisecond: writes under load share it. */
export function isoAt(ms: number): string {
  if (ms !== lastStampMs) {
    lastStamp = new Date(ms).toISOString();
    lastStampMs = ms;
  }
  return lastStamp;
}

const PARSE_CTX: OpContext = { pkg: '@greentic/session-core', op: 'parseSession' };

/**
 * Validates any value as a {@link @greentic/session-types!Session | Session} and returns a deeply frozen copy
 * (outbox deduplicated, `updatedAt` kept, default size limits). Use it at the
 * edges of a service, for example on sessions received over the wire. Reads
 * each property once, like {@link prepareSessionWrite}.
 *
 * @param value - candidate session
 * @param ctx - operation context for errors
 * @default ctx `{ pkg: '@greentic/session-core', op: 'parseSession' }`
 * @throws SessionError `invalid_input` naming the first bad field
 */
export function parseSession(value: unknown, ctx: OpContext = PARSE_CTX): SessionSnapshot {
  return readInput(ctx, 'session', () =>
    copySession(value, ctx, undefined, undefined, DEFAULT_SESSION_LIMITS),
  );
}

/**
 * Like {@link parseSession} with parts reused by identity from `previous` and
 * no size limits (the store enforces its own): how `mutate` reads what its
 * function returned exactly once before handing the copy to `updateCas`.
 *
 * @internal
 */
export function parseSessionFrom(
  value: unknown,
  ctx: OpContext,
  previous: SessionSnapshot,
): SessionSnapshot {
  return readInput(ctx, 'session', () =>
    copySession(value, ctx, undefined, () => previous, UNLIMITED),
  );
}

const UNLIMITED: SessionLimits = Object.freeze({
  maxLabelsBytes: Number.POSITIVE_INFINITY,
  maxLabelValues: Number.POSITIVE_INFINITY,
  maxOutboxEntries: Number.POSITIVE_INFINITY,
  maxDataBytes: Number.POSITIVE_INFINITY,
  maxDataValues: Number.POSITIVE_INFINITY,
});

/** True when {@link parseSession} would accept `value`. */
export function isValidSession(value: unknown): boolean {
  try {
    parseSession(value);
    return true;
  } catch {
    return false;
  }
}

function copySession(
  session: unknown,
  ctx: OpContext,
  stamp: string | undefined,
  previous: PreviousSnapshotLookup | undefined,
  limits: SessionLimits,
): SessionSnapshot {
  const s = readRecord(session, SESSION_FIELDS, ctx, 'session', SESSION_OPTIONAL_FIELDS);
  const id = s.id;
  if (typeof id !== 'string' || !SESSION_PATTERNS.uuid.test(id)) {
    throw invalidInput(
      ctx,
      `session.id must be a lowercase canonical UUID, got ${describeValue(id)}`,
    );
  }
  const key = validateSessionKey(s.key, ctx, 'session.key');
  const prev = previous?.(key);
  if (prev !== undefined && session === prev) {
    return stamp === undefined ? prev : Object.freeze({ ...prev, updatedAt: stamp });
  }
  const cursor = cursorCopy(s.cursor, ctx, 'session.cursor', prev?.cursor);
  const meta = metaCopy(s.meta, ctx, 'session.meta', prev?.meta, limits);
  const outbox = outboxCopy(s.outbox, ctx, 'session.outbox', prev?.outbox, limits);
  const updatedAt = validateTimestamp(s.updatedAt, ctx, 'session.updatedAt');
  const given = s.data;
  // Absent and undefined both mean "no data"; data passed back unchanged from
  // the stored snapshot is reused as it is.
  const data =
    given === undefined
      ? undefined
      : prev !== undefined && given === prev.data
        ? prev.data
        : frozenDataCopy(given, 'session.data', ctx, limits);
  const ttlSecs = validateTtlSecs(s.ttlSecs, ctx, 'session.ttlSecs');
  const updated = stamp ?? updatedAt;
  return Object.freeze(
    data === undefined
      ? { id, key, cursor, meta, outbox, updatedAt: updated, ttlSecs }
      : { id, key, cursor, meta, outbox, data, updatedAt: updated, ttlSecs },
  );
}

/** Options accepted by every operation: the tenant fence. */
export interface TenantOptions {
  /**
   * When set, reads, deletes and touches of a key owned by another tenant
   * behave as if it did not exist, and `put`/`updateCas` throw
   * `tenant_mismatch` unless the validated session's `meta.tenantId` is this
   * tenant (and the key is free or already this tenant's).
   */
  tenantId?: string | undefined;
}

/**
 * Reads an options argument: a plain object (prototype `Object.prototype` or
 * null; not an array, a `Date`, a class instance) whose own enumerable keys
 * are all in `known`. Each known option is read exactly once into the
 * returned null-prototype record; a throwing getter or Proxy trap gives
 * `invalid_input`.
 *
 * @param value - the caller's options
 * @param known - accepted option names
 * @param ctx - operation context for errors
 * @param field - name of the argument in messages @default 'opts'
 * @returns each known option's value (absent ones are undefined)
 * @throws SessionError `invalid_input`
 */
export function readOptions(
  value: unknown,
  known: readonly string[],
  ctx: OpContext,
  field = 'opts',
): Readonly<Record<string, unknown>> {
  return readInput(ctx, field, () => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalidInput(ctx, `${field} must be an object, got ${describeValue(value)}`);
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw invalidInput(ctx, `${field} must be a plain object, got ${prototypeName(proto)}`);
    }
    const keys = Object.keys(value);
    for (const k of keys) {
      if (!known.includes(k)) throw invalidInput(ctx, `${field}.${k} is not a known option`);
    }
    const out: Record<string, unknown> = Object.create(null);
    for (const k of keys) out[k] = (value as Record<string, unknown>)[k];
    return out;
  });
}

const TENANT_OPTIONS = ['tenantId'] as const;

/**
 * Validates the optional `{ tenantId }` argument (a plain object, read once).
 *
 * @returns the tenant id, or undefined when none was given
 * @throws SessionError `invalid_input`
 */
export function validateTenantOptions(opts: unknown, ctx: OpContext): string | undefined {
  if (opts === undefined) return undefined;
  const { tenantId } = readOptions(opts, TENANT_OPTIONS, ctx);
  return tenantId === undefined ? undefined : validateTenantId(tenantId, ctx, 'opts.tenantId');
}

const LIMIT_NAMES = [
  'maxLabelsBytes',
  'maxLabelValues',
  'maxOutboxEntries',
  'maxDataBytes',
  'maxDataValues',
] as const;

/**
 * Validates a store's `limits` option and fills in the defaults: every given
 * limit must be a positive safe integer.
 *
 * @param limits - the store option (a plain object of some limits), or undefined
 * @param ctx - operation context for errors
 * @param field - option name in messages @default 'options.limits'
 * @returns frozen, complete limits
 * @throws SessionError `invalid_input`
 */
export function resolveSessionLimits(
  limits: unknown,
  ctx: OpContext,
  field = 'options.limits',
): SessionLimits {
  if (limits === undefined) return DEFAULT_SESSION_LIMITS;
  const given = readOptions(limits, LIMIT_NAMES, ctx, field);
  const out: Record<(typeof LIMIT_NAMES)[number], number> = { ...DEFAULT_SESSION_LIMITS };
  for (const name of LIMIT_NAMES) {
    const value = given[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw invalidInput(
        ctx,
        `${field}.${name} must be a positive safe integer, got ${describeValue(value)}`,
      );
    }
    out[name] = value as number;
  }
  return Object.freeze(out);
}

/**
 * Validates the TTL argument of `touch`: an integer TTL, or null/undefined to
 * keep the current one.
 *
 * @throws SessionError `invalid_input`
 */
export function validateTouchTtl(ttlSecs: unknown, ctx: OpContext): number | null {
  return ttlSecs === undefined || ttlSecs === null
    ? null
    : validateTtlSecs(ttlSecs, ctx, 'ttlSecs');
}
