/** Any value that survives a JSON round trip unchanged. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * Opaque, non-empty session key. The mapping helpers produce 64 lowercase hex
 * characters; any printable ASCII without whitespace or braces is accepted.
 */
export type SessionKey = string;

/**
 * Compare-and-set token: 0 means "no session", 1 is the first write and every
 * successful write adds 1.
 */
export type Cas = number;

/** Where a paused flow resumes. */
export interface SessionCursor {
  /** Flow the session is running. */
  flowId: string;
  /** Node of the flow to resume at. */
  nodeId: string;
  /** Why the flow is waiting (for example `"user_reply"`), or `null`. */
  waitReason: string | null;
  /** Sequence number of the last outbox entry the flow produced. */
  outboxSeq: number;
}

/** One message handed to a connector, identified by its sequence and payload digest. */
export interface OutboxEntry {
  /** Sequence number within the session; non-negative safe integer. */
  seq: number;
  /** SHA-256 of the payload bytes, 64 lowercase hex characters. */
  payloadSha256: string;
  /** When the entry was created, ISO-8601 UTC (`2026-01-02T03:04:05.678Z`). */
  createdAt: string;
}

/** Who a session belongs to. */
export interface SessionMeta {
  /** Owning tenant. A key belongs to the tenant that created it. */
  tenantId: string;
  /** Team within the tenant, or `null`. */
  teamId: string | null;
  /** End user, or `null`. Prefer a stable pseudonymous id over raw PII. */
  userId: string | null;
  /** Free-form JSON labels. */
  labels: Record<string, JsonValue>;
}

/** A connector flow's session: cursor, ownership, outbox and expiry. */
export interface Session {
  /** UUID of this session incarnation (lowercase, canonical form). */
  id: string;
  /** Key the session is stored under. */
  key: SessionKey;
  /** Resume point of the flow. */
  cursor: SessionCursor;
  /** Ownership and labels. */
  meta: SessionMeta;
  /** Messages handed off, deduplicated by `(seq, payloadSha256)`. */
  outbox: OutboxEntry[];
  /**
   * Free-form JSON state of the application or bot framework (a grammY,
   * Telegraf or botbuilder session), nested like a label value. Absent when
   * the session carries none. Not part of the Rust crate's model: a TypeScript
   * addition (see the core README for the mapping).
   */
  data?: JsonValue;
  /** Last write or touch, ISO-8601 UTC; stamped by the store on every write. */
  updatedAt: string;
  /** Lifetime in seconds after `updatedAt`; 0 means the session never expires. */
  ttlSecs: number;
}

/** Recursively read-only view of `T`. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * A session as stores return it: a deeply frozen snapshot. To change it,
 * build a new object (spread, `structuredClone`, or the core helpers).
 */
export type SessionSnapshot = DeepReadonly<Session>;

/** What `get` returns for a live session. */
export interface StoredSession {
  /** Frozen snapshot of the stored session. */
  readonly session: SessionSnapshot;
  /** Its current compare-and-set token (at least 1). */
  readonly cas: Cas;
}
