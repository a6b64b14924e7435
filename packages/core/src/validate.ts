import {
  type Cas,
  type OutboxEntry,
  RESERVED_TENANT_IDS,
  SESSION_LIMITS,
  SESSION_PATTERNS,
  type SessionCursor,
  type SessionKey,
  type SessionMeta,
  type SessionSnapshot,
} from '@greentic/session-types';
import { describeValue, invalidInput, type OpContext } from './context.js';
import { frozenDataCopy, frozenLabelsCopy } from './json.js';

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
  return ttlSecs as number;
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
  return value as number;
}

/**
 * Checks an expected cas for `updateCas`: a non-negative safe integer.
 *
 * @throws SessionError `invalid_input`
 */
export function validateCas(cas: unknown, ctx: OpContext, field = 'expected'): Cas {
  return validateCount(cas, ctx, field);
}

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
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= days;
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

function validateText(value: unknown, ctx: OpContext, field: string, allowEmpty: boolean): string {
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

function validateNullableText(value: unknown, ctx: OpContext, field: string): string | null {
  return value === null ? null : validateText(value, ctx, field, false);
}

function expectRecord(
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
    throw invalidInput(
      ctx,
      `${field} must be a plain object, got ${proto?.constructor?.name ?? 'an object'}`,
    );
  }
  for (const k of Object.keys(value)) {
    if (!fields.includes(k) && !optional.includes(k)) {
      throw invalidInput(ctx, `${field}.${k} is not a known field`);
    }
  }
  for (const k of fields) {
    if (!Object.hasOwn(value, k)) throw invalidInput(ctx, `${field}.${k} is required`);
  }
  return value as Record<string, unknown>;
}

function cursorCopy(
  value: unknown,
  ctx: OpContext,
  field: string,
  prev: Readonly<SessionCursor> | undefined,
): Readonly<SessionCursor> {
  if (prev !== undefined && value === prev) return prev;
  const c = expectRecord(value, CURSOR_FIELDS, ctx, field);
  return Object.freeze({
    flowId: validateText(c.flowId, ctx, `${field}.flowId`, false),
    nodeId: validateText(c.nodeId, ctx, `${field}.nodeId`, false),
    waitReason:
      c.waitReason === null ? null : validateText(c.waitReason, ctx, `${field}.waitReason`, true),
    outboxSeq: validateCount(c.outboxSeq, ctx, `${field}.outboxSeq`),
  });
}

function metaCopy(
  value: unknown,
  ctx: OpContext,
  field: string,
  prev: SessionSnapshot['meta'] | undefined,
): SessionSnapshot['meta'] {
  if (prev !== undefined && value === prev) return prev;
  const m = expectRecord(value, META_FIELDS, ctx, field);
  const meta: SessionSnapshot['meta'] = {
    tenantId: validateTenantId(m.tenantId, ctx, `${field}.tenantId`),
    teamId: validateNullableText(m.teamId, ctx, `${field}.teamId`),
    userId: validateNullableText(m.userId, ctx, `${field}.userId`),
    labels: (prev !== undefined && m.labels === prev.labels
      ? prev.labels
      : frozenLabelsCopy(m.labels, `${field}.labels`, ctx)) as SessionMeta['labels'],
  };
  return Object.freeze(meta);
}

function outboxCopy(
  value: unknown,
  ctx: OpContext,
  field: string,
  prev: readonly Readonly<OutboxEntry>[] | undefined,
): readonly Readonly<OutboxEntry>[] {
  if (!Array.isArray(value))
    throw invalidInput(ctx, `${field} must be an array, got ${describeValue(value)}`);
  if (value.length > SESSION_LIMITS.maxOutboxEntries) {
    throw invalidInput(
      ctx,
      `${field} must hold at most ${SESSION_LIMITS.maxOutboxEntries} entries, got ${value.length}`,
    );
  }
  if (prev !== undefined && value === prev) return prev;
  // Dedupe by (seq, digest), keeping the first occurrence and the order. While
  // seqs strictly increase no entry can repeat an earlier one, so the set of
  // ids is only built once they stop increasing.
  const out: Readonly<OutboxEntry>[] = [];
  let seen: Set<string> | undefined;
  let lastSeq = -1;
  for (let i = 0; i < value.length; i++) {
    const given: unknown = value[i];
    const entry =
      prev !== undefined && given === prev[i]
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

function entryId(entry: Readonly<OutboxEntry>): string {
  return `${entry.seq}:${entry.payloadSha256}`;
}

/**
 * Validates one outbox entry and returns a frozen copy.
 *
 * @throws SessionError `invalid_input`
 */
export function outboxEntryCopy(value: unknown, ctx: OpContext, at: string): Readonly<OutboxEntry> {
  const e = expectRecord(value, OUTBOX_FIELDS, ctx, at);
  const seq = validateCount(e.seq, ctx, `${at}.seq`);
  const payloadSha256 = e.payloadSha256;
  if (typeof payloadSha256 !== 'string' || !SESSION_PATTERNS.sha256Hex.test(payloadSha256)) {
    throw invalidInput(
      ctx,
      `${at}.payloadSha256 must be 64 lowercase hex characters, got ${describeValue(payloadSha256)}`,
    );
  }
  const createdAt = validateTimestamp(e.createdAt, ctx, `${at}.createdAt`);
  return Object.freeze({ seq, payloadSha256, createdAt });
}

/**
 * Validates a session for a write and returns the deeply frozen copy a store
 * keeps: fields in canonical order, outbox deduplicated by
 * `(seq, payloadSha256)` (first occurrence kept, order kept), `updatedAt`
 * stamped with `nowMs`. The caller's object is neither frozen nor kept.
 *
 * @param session - what the caller passed
 * @param ctx - operation context for errors
 * @param nowMs - the write time, in epoch milliseconds
 * @param previous - the snapshot the store holds now (a validated, deeply frozen
 *   result of this function). Parts of `session` that are the very same objects
 *   as its parts are reused without validating or copying them again, so the
 *   usual get → spread → updateCas pays only for what changed.
 * @throws SessionError `invalid_input` naming the first bad field; nothing is written
 */
export function prepareSessionWrite(
  session: unknown,
  ctx: OpContext,
  nowMs: number,
  previous?: SessionSnapshot,
): SessionSnapshot {
  return copySession(session, ctx, isoAt(nowMs), previous);
}

let lastStampMs = Number.NaN;
let lastStamp = '';

/** `new Date(ms).toISOString()`, remembered for the last millisecond: writes under load share it. */
function isoAt(ms: number): string {
  if (ms !== lastStampMs) {
    lastStamp = new Date(ms).toISOString();
    lastStampMs = ms;
  }
  return lastStamp;
}

const PARSE_CTX: OpContext = { pkg: '@greentic/session-core', op: 'parseSession' };

/**
 * Validates any value as a {@link @greentic/session-types!Session | Session} and returns a deeply frozen copy
 * (outbox deduplicated, `updatedAt` kept). Use it at the edges of a service,
 * for example on sessions received over the wire.
 *
 * @param value - candidate session
 * @param ctx - operation context for errors
 * @default ctx `{ pkg: '@greentic/session-core', op: 'parseSession' }`
 * @throws SessionError `invalid_input` naming the first bad field
 */
export function parseSession(value: unknown, ctx: OpContext = PARSE_CTX): SessionSnapshot {
  return copySession(value, ctx, undefined, undefined);
}

/** True when {@link parseSession} would accept `value`. */
export function isValidSession(value: unknown): boolean {
  try {
    copySession(value, PARSE_CTX, undefined, undefined);
    return true;
  } catch {
    return false;
  }
}

function copySession(
  session: unknown,
  ctx: OpContext,
  stamp: string | undefined,
  prev: SessionSnapshot | undefined,
): SessionSnapshot {
  if (prev !== undefined && session === prev) {
    return stamp === undefined ? prev : Object.freeze({ ...prev, updatedAt: stamp });
  }
  const s = expectRecord(session, SESSION_FIELDS, ctx, 'session', SESSION_OPTIONAL_FIELDS);
  const id = s.id;
  if (typeof id !== 'string' || !SESSION_PATTERNS.uuid.test(id)) {
    throw invalidInput(
      ctx,
      `session.id must be a lowercase canonical UUID, got ${describeValue(id)}`,
    );
  }
  const key = validateSessionKey(s.key, ctx, 'session.key');
  const cursor = cursorCopy(s.cursor, ctx, 'session.cursor', prev?.cursor);
  const meta = metaCopy(s.meta, ctx, 'session.meta', prev?.meta);
  const outbox = outboxCopy(s.outbox, ctx, 'session.outbox', prev?.outbox);
  const updatedAt = validateTimestamp(s.updatedAt, ctx, 'session.updatedAt');
  const given = s.data;
  // Absent and undefined both mean "no data"; data passed back unchanged from
  // the stored snapshot is reused as it is.
  const data =
    given === undefined
      ? undefined
      : prev !== undefined && given === prev.data
        ? prev.data
        : frozenDataCopy(given, 'session.data', ctx);
  const ttlSecs = validateTtlSecs(s.ttlSecs, ctx, 'session.ttlSecs');
  const updated = stamp ?? updatedAt;
  return Object.freeze(
    data === undefined
      ? { id, key, cursor, meta, outbox, updatedAt: updated, ttlSecs }
      : { id, key, cursor, meta, outbox, data, updatedAt: updated, ttlSecs },
  );
}

/** Options accepted by reads, deletes and touches. */
export interface TenantOptions {
  /** When set, a key owned by another tenant behaves as if it did not exist. */
  tenantId?: string | undefined;
}

/**
 * Validates the optional `{ tenantId }` argument.
 *
 * @returns the tenant id, or undefined when none was given
 * @throws SessionError `invalid_input`
 */
export function validateTenantOptions(opts: unknown, ctx: OpContext): string | undefined {
  if (opts === undefined) return undefined;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw invalidInput(ctx, `opts must be an object, got ${describeValue(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (k !== 'tenantId') throw invalidInput(ctx, `opts.${k} is not a known option`);
  }
  const tenantId = (opts as TenantOptions).tenantId;
  return tenantId === undefined ? undefined : validateTenantId(tenantId, ctx, 'opts.tenantId');
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
