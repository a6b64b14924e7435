/**
 * The stored value of a session: one Redis STRING, format version 1.
 *
 * ```
 * g1:<cas>:<ttlSecs>:<updatedAtMs>:<tenant>:<id>:<json>
 * ```
 *
 * - `g1` names the format, so a later layout can tell values apart and migrate;
 * - `cas`, `ttlSecs`, `updatedAtMs` (epoch milliseconds) are canonical
 *   decimals; `tenant` is the owner (no `:` can occur in a tenant id) and `id`
 *   the incarnation UUID;
 * - `json` is `{"key","cursor","meta","outbox"[,"data"]}` of the session,
 *   encoded once in JavaScript (`data` only when the session has it). `id`,
 *   `updatedAt` and `ttlSecs` live only in the header.
 *
 * Scripts read the header (the first 256 bytes at most) and never decode the
 * JSON; a read decodes it with one `JSON.parse`. A value that does not have
 * exactly this shape is never returned as a session.
 *
 * @packageDocumentation
 */
import {
  isValidatedOutboxEntry,
  type OpContext,
  sessionError,
} from '@greentic/session-core/backend';
import {
  SESSION_LIMITS,
  type SessionError,
  type SessionKey,
  type SessionSnapshot,
  type StoredSession,
} from '@greentic/session-types';

/** Tag that opens every stored value of format version 1. */
export const VALUE_FORMAT = 'g1';

const HEADER =
  /^g1:([1-9]\d{0,15}):(0|[1-9]\d{0,9}):(0|[1-9]\d{0,15}):([A-Za-z0-9][A-Za-z0-9._-]{0,127}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(?=\{)/;

const MAX_DATE_MS = 8_640_000_000_000_000;

/**
 * Everything of the stored value after the cas, `<ttlSecs>:<updatedAtMs>:<tenant>:<id>:<json>`:
 * the scripts prepend `g1:<cas>:` themselves, since only they know the cas of a `put`.
 *
 * @param snapshot - a validated session, as `prepareSessionWrite` returns it
 * @param updatedAtMs - its `updatedAt` in epoch milliseconds
 */
export function encodeTail(snapshot: SessionSnapshot, updatedAtMs: number): string {
  return `${snapshot.ttlSecs}:${updatedAtMs}:${snapshot.meta.tenantId}:${snapshot.id}:${bodyJson(snapshot)}`;
}

/**
 * `JSON.stringify({ key, cursor, meta, outbox, data })` of a session. When
 * every outbox entry is one core validated ({@link isValidatedOutboxEntry}:
 * three fields of known shape, no string needing an escape), the entries are
 * written out directly and the other fields stringified one by one, to the
 * same text: a session's outbox is most of its bytes and, stringified, most
 * of the time of this function. Anything else (a snapshot built by hand)
 * takes one `JSON.stringify` of the whole.
 */
function bodyJson(snapshot: SessionSnapshot): string {
  const { key, cursor, meta, outbox, data } = snapshot;
  if (Array.isArray(outbox)) {
    let entries = '';
    let i = 0;
    for (; i < outbox.length; i++) {
      const e: unknown = outbox[i];
      if (!isValidatedOutboxEntry(e)) break;
      const json = `{"seq":${e.seq},"payloadSha256":"${e.payloadSha256}","createdAt":"${e.createdAt}"}`;
      entries = i === 0 ? json : `${entries},${json}`;
    }
    if (i === outbox.length) {
      // `undefined` for a value JSON leaves out (a function, say): the whole is stringified then.
      const k: string | undefined = JSON.stringify(key);
      const c: string | undefined = JSON.stringify(cursor);
      const m: string | undefined = JSON.stringify(meta);
      const d: string | undefined = data === undefined ? '' : JSON.stringify(data);
      if (k !== undefined && c !== undefined && m !== undefined && d !== undefined) {
        return `{"key":${k},"cursor":${c},"meta":${m},"outbox":[${entries}]${d === '' ? '' : `,"data":${d}`}}`;
      }
    }
  }
  return JSON.stringify({ key, cursor, meta, outbox, data });
}

/** The header of a stored value, decoded; see {@link decodeHeader}. */
export interface ValueHeader {
  readonly cas: number;
  readonly ttlSecs: number;
  readonly updatedAtMs: number;
  readonly tenantId: string;
  readonly id: string;
  /** Index of the JSON body (its opening `{`) in the value. */
  readonly bodyAt: number;
}

/**
 * Decodes the header of a stored value (the whole value or any prefix of at
 * least its header), or null when it is not a well-formed g1 header.
 */
export function decodeHeader(raw: string): ValueHeader | null {
  const m = HEADER.exec(raw);
  if (m === null) return null;
  const cas = Number(m[1]);
  const ttlSecs = Number(m[2]);
  const updatedAtMs = Number(m[3]);
  if (
    cas > Number.MAX_SAFE_INTEGER ||
    ttlSecs > SESSION_LIMITS.maxTtlSecs ||
    updatedAtMs > MAX_DATE_MS
  ) {
    return null;
  }
  return {
    cas,
    ttlSecs,
    updatedAtMs,
    tenantId: m[4] as string,
    id: m[5] as string,
    bodyAt: m[0].length,
  };
}

let lastIsoMs = Number.NaN;
let lastIso = '';

/** `new Date(ms).toISOString()`, remembered for the last value: reads under load share it. */
export function isoAt(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIso = new Date(ms).toISOString();
    lastIsoMs = ms;
  }
  return lastIso;
}

/** Freezes a freshly parsed JSON tree in place, bottom-up, and returns it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The error a read or write gives for a value that is not a session of ours.
 *
 * @param ctx - the operation
 * @param key - the session key
 * @param why - what is wrong with it
 * @param cause - the underlying error, if any
 */
export function damaged(
  ctx: OpContext,
  key: SessionKey,
  why: string,
  cause?: unknown,
): SessionError {
  return sessionError(
    'internal',
    ctx,
    `the value stored for key ${JSON.stringify(key)} is not a session of this store (${why}); it was left as it is`,
    cause,
  );
}

/**
 * Decodes a stored value read with `GET`.
 *
 * @param raw - the reply of `GET` (null when the key does not exist)
 * @param key - the session key that was read
 * @param tenantId - the fenced tenant: a session of another owner reads as null
 * @param ctx - operation, for errors
 * @returns the frozen session and its cas, or null
 * @throws SessionError `internal` naming the key when the value is not a session
 */
export function decodeValue(
  raw: unknown,
  key: SessionKey,
  tenantId: string | undefined,
  ctx: OpContext,
): StoredSession | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string') throw damaged(ctx, key, 'not a string');
  const m = HEADER.exec(raw);
  if (m === null) throw damaged(ctx, key, `no ${VALUE_FORMAT} header`);
  const [header, casText, ttlText, atText, owner, id] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const cas = Number(casText);
  const ttlSecs = Number(ttlText);
  const updatedAtMs = Number(atText);
  if (
    cas > Number.MAX_SAFE_INTEGER ||
    ttlSecs > SESSION_LIMITS.maxTtlSecs ||
    updatedAtMs > MAX_DATE_MS
  ) {
    throw damaged(ctx, key, 'a header number is out of range');
  }
  // The fence is decided on the owner in the header, before any JSON is parsed.
  if (tenantId !== undefined && owner !== tenantId) return null;
  let body: unknown;
  try {
    body = JSON.parse(raw.slice(header.length));
  } catch (err) {
    throw damaged(ctx, key, 'the JSON does not parse', err);
  }
  // Only the scripts write values, with JSON core validated before sending, so
  // a read checks the shape and the identity, not every field again.
  if (!isPlainRecord(body)) throw damaged(ctx, key, 'the JSON is not an object');
  const { cursor, meta, outbox, data } = body;
  if (
    body.key !== key ||
    !isPlainRecord(cursor) ||
    !isPlainRecord(meta) ||
    meta.tenantId !== owner ||
    !Array.isArray(outbox) ||
    Object.keys(body).length !== (data === undefined ? 4 : 5)
  ) {
    throw damaged(ctx, key, 'the JSON is not a session of this key and owner');
  }
  const updatedAt = isoAt(updatedAtMs);
  const session =
    data === undefined
      ? {
          id,
          key,
          cursor: deepFreeze(cursor),
          meta: deepFreeze(meta),
          outbox: deepFreeze(outbox),
          updatedAt,
          ttlSecs,
        }
      : {
          id,
          key,
          cursor: deepFreeze(cursor),
          meta: deepFreeze(meta),
          outbox: deepFreeze(outbox),
          data: deepFreeze(data),
          updatedAt,
          ttlSecs,
        };
  return Object.freeze({
    session: Object.freeze(session) as unknown as SessionSnapshot,
    cas,
  });
}
