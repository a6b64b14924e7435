import * as nodeCrypto from 'node:crypto';
import type {
  JsonValue,
  OutboxEntry,
  Session,
  SessionKey,
  SessionSnapshot,
} from '@greentic/session-types';
import type { OpContext } from './context.js';
import { invalidInput } from './context.js';
import { approxJsonBytes } from './json.js';
import { isoAt, markCheckedEntry, parseSession, validateCount } from './validate.js';

const { createHash, randomUUID } = nodeCrypto;
// One-shot `crypto.hash` (Node 20.12+) is several times cheaper than a Hash
// object for short payloads; older Node falls back to `createHash`.
const oneShotHash = (
  nodeCrypto as { hash?: (alg: string, data: string | Uint8Array, enc: 'hex') => string }
).hash;

/** Input of {@link createSession}. */
export interface CreateSessionInput {
  /** Key to store the session under (see `@greentic/session-mapping`). */
  key: SessionKey;
  /** Owning tenant. */
  tenantId: string;
  /** Flow to run. */
  flowId: string;
  /** Node to start at. */
  nodeId: string;
  /** Lifetime in seconds after each write; 0 = never expires. */
  ttlSecs: number;
  /** @default null */
  teamId?: string | null;
  /** @default null */
  userId?: string | null;
  /** @default null */
  waitReason?: string | null;
  /** @default {} */
  labels?: Record<string, JsonValue>;
  /** Free-form JSON state (bot framework session data). @default absent */
  data?: JsonValue;
  /** Session incarnation id. @default crypto.randomUUID() */
  id?: string;
  /** Creation time in epoch ms. @default Date.now() */
  nowMs?: number;
}

const HELPER_CTX = (op: string): OpContext => ({ pkg: '@greentic/session-core', op });

/**
 * Builds a valid new session: a fresh UUID, an empty outbox, `outboxSeq` 0.
 * The result is a frozen snapshot, ready for `store.put`.
 *
 * @throws SessionError `invalid_input` naming the bad field
 */
export function createSession(input: CreateSessionInput): SessionSnapshot {
  const ctx = HELPER_CTX('createSession');
  if (typeof input !== 'object' || input === null)
    throw invalidInput(ctx, 'input must be an object');
  const nowMs = input.nowMs ?? Date.now();
  const session: Session = {
    id: input.id ?? randomUUID(),
    key: input.key,
    cursor: {
      flowId: input.flowId,
      nodeId: input.nodeId,
      waitReason: input.waitReason ?? null,
      outboxSeq: 0,
    },
    meta: {
      tenantId: input.tenantId,
      teamId: input.teamId ?? null,
      userId: input.userId ?? null,
      labels: input.labels ?? {},
    },
    outbox: [],
    ...(input.data === undefined ? {} : { data: input.data }),
    updatedAt: new Date(nowMs).toISOString(),
    ttlSecs: input.ttlSecs,
  };
  return parseSession(session, ctx);
}

/**
 * Hex SHA-256 of a payload: a string is hashed as its UTF-8 bytes.
 *
 * @throws SessionError `invalid_input` when the payload is neither a string nor bytes
 */
export function sha256Hex(payload: string | Uint8Array): string {
  if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) {
    throw invalidInput(HELPER_CTX('sha256Hex'), 'payload must be a string or a Uint8Array');
  }
  return oneShotHash === undefined
    ? createHash('sha256').update(payload).digest('hex')
    : oneShotHash('sha256', payload, 'hex');
}

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z, in epoch milliseconds. */
const FIRST_MS = -62_167_219_200_000;
const LAST_MS = 253_402_300_799_999;

/**
 * Builds a frozen outbox entry for a payload, hashing its bytes.
 *
 * @param seq - sequence number within the session
 * @param payload - the message handed to the connector (string = UTF-8 bytes)
 * @param nowMs - creation time in epoch ms @default Date.now()
 * @throws SessionError `invalid_input`
 */
export function createOutboxEntry(
  seq: number,
  payload: string | Uint8Array,
  nowMs = Date.now(),
): Readonly<OutboxEntry> {
  const ctx = HELPER_CTX('createOutboxEntry');
  const checkedSeq = validateCount(seq, ctx, 'seq');
  // The digest is ours (64 lowercase hex); only the time can be out of range.
  const payloadSha256 = sha256Hex(payload);
  // `Date` truncates toward zero; any millisecond of the years 0000..9999
  // gives an ISO-8601 UTC timestamp, so only the range needs checking.
  const ms = typeof nowMs === 'number' ? Math.trunc(nowMs) : Number.NaN;
  if (!(ms >= FIRST_MS && ms <= LAST_MS)) {
    throw invalidInput(
      ctx,
      `nowMs must be epoch milliseconds of a year 0000..9999, got ${String(nowMs)}`,
    );
  }
  const entry: OutboxEntry = { seq: checkedSeq, payloadSha256, createdAt: isoAt(ms) };
  return markCheckedEntry(Object.freeze(entry));
}

/**
 * Returns a new session with one more outbox entry for `payload`, numbered
 * `cursor.outboxSeq + 1`, and the cursor advanced to it. The input is not changed.
 *
 * @throws SessionError `invalid_input`
 */
export function appendOutbox(
  session: SessionSnapshot,
  payload: string | Uint8Array,
  nowMs = Date.now(),
): SessionSnapshot {
  const ctx = HELPER_CTX('appendOutbox');
  const current = parseSession(session, ctx);
  const seq = current.cursor.outboxSeq + 1;
  if (!Number.isSafeInteger(seq))
    throw invalidInput(ctx, 'session.cursor.outboxSeq cannot grow further');
  return parseSession(
    {
      ...current,
      cursor: { ...current.cursor, outboxSeq: seq },
      outbox: [...current.outbox, createOutboxEntry(seq, payload, nowMs)],
    },
    ctx,
  );
}

/**
 * Epoch ms at which a session written at `updatedAtMs` with `ttlSecs` expires;
 * `Infinity` when `ttlSecs` is 0.
 */
export function expiresAtMs(updatedAtMs: number, ttlSecs: number): number {
  return ttlSecs === 0 ? Number.POSITIVE_INFINITY : updatedAtMs + ttlSecs * 1000;
}

// A serialized outbox entry: seq, a 64-character digest, a timestamp, punctuation.
const APPROX_OUTBOX_ENTRY_BYTES = 128;
// The fixed fields of a session besides its strings: id, numbers, timestamps, punctuation.
const APPROX_SESSION_FIELDS_BYTES = 192;

/**
 * About how many bytes of JSON a stored session is: its `data` and labels as
 * {@link approxJsonBytes} counts them, its key, tenant and cursor strings, and
 * fixed amounts for the other fields and each outbox entry. Cheap for a
 * snapshot a store validated (the sizes of its data and labels are known);
 * the measure a cache of snapshots bounds its bytes by (the turn runner's).
 *
 * @param session - a snapshot a store returned
 */
export function approxSessionBytes(session: SessionSnapshot): number {
  const { key, cursor, meta, outbox, data } = session;
  return (
    APPROX_SESSION_FIELDS_BYTES +
    key.length +
    cursor.flowId.length +
    cursor.nodeId.length +
    (cursor.waitReason?.length ?? 0) +
    meta.tenantId.length +
    (meta.teamId?.length ?? 0) +
    (meta.userId?.length ?? 0) +
    approxJsonBytes(meta.labels) +
    (data === undefined ? 0 : approxJsonBytes(data)) +
    outbox.length * APPROX_OUTBOX_ENTRY_BYTES
  );
}
