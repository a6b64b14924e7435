import type {
  Cas,
  DeepReadonly,
  Session,
  SessionKey,
  SessionSnapshot,
  StoredSession,
} from '@greentic/session-types';
import type { TenantOptions } from './validate.js';

/** What writes accept: a mutable session or a snapshot returned by a store. */
export type SessionInput = Session | DeepReadonly<Session>;

/** Why `updateCas` wrote nothing. */
export type UpdateCasConflictReason =
  /** No live session under the key (never written, deleted or expired); `current` is 0. */
  | 'missing'
  /** The stored cas differs from `expected`. */
  | 'stale'
  /** A different incarnation (another `session.id`) is stored: deleted and recreated. */
  | 'replaced';

/** Result of `updateCas`: a conflict is a result, not an error. */
export type UpdateCasResult =
  | {
      readonly ok: true;
      /** The new cas, `expected + 1`. */
      readonly cas: Cas;
      /** The session as stored (with `updatedAt` stamped and the outbox deduplicated). */
      readonly session: SessionSnapshot;
    }
  | {
      readonly ok: false;
      /** The stored cas (0 when missing). */
      readonly current: Cas;
      readonly reason: UpdateCasConflictReason;
    };

/**
 * A session store. Every backend implements exactly these semantics; the
 * conformance suite in `@greentic/session-test-suite` proves it.
 */
export interface SessionStore {
  /**
   * Reads a live session and its cas, or null when there is none (or it has
   * expired, or with `opts.tenantId` it belongs to another tenant).
   *
   * @throws SessionError `invalid_input` | `unavailable` | `timeout`
   */
  get(key: SessionKey, opts?: TenantOptions): Promise<StoredSession | null>;
  /**
   * Creates or replaces a session; stamps `updatedAt`, dedupes the outbox and
   * restarts the expiry. Returns 1 for a new (or expired) key, else stored + 1.
   *
   * The session is read once (see `prepareSessionWrite`); every check,
   * including the fence, runs on the validated copy.
   *
   * @param session - the session to write
   * @param opts - `tenantId`: fence the write; the validated session's
   *   `meta.tenantId` must be this tenant. Backends must honour it: the
   *   tenant view relies on it.
   * @throws SessionError `tenant_mismatch` when another tenant owns the key, or
   *   (fenced) the session belongs to another tenant; nothing is written
   * @throws SessionError `invalid_input` for a bad session, bad options, or
   *   one over the store's size limits; nothing is written
   */
  put(session: SessionInput, opts?: TenantOptions): Promise<Cas>;
  /**
   * Writes only when a live session with the same `id` and cas `expected` is
   * stored; returns `expected + 1`. Otherwise writes nothing and returns the
   * current cas and why.
   *
   * `expected` 0 means "absent" (cas 0 is no session): the write happens only
   * when no live session is stored under the key, and creates it at cas 1.
   * Of several writers creating the same key this way, exactly one succeeds;
   * the others get `stale` (or `replaced`) with the winner's cas. This is the
   * race-free create that `put` (last writer wins) is not.
   *
   * @param session - the next session (same key and id)
   * @param expected - the cas the caller read, or 0 to create only if absent
   * @param opts - `tenantId`: fence the write, as for {@link SessionStore.put}
   * @throws SessionError `tenant_mismatch` when another tenant owns the key, or
   *   (fenced) the session belongs to another tenant; nothing is written
   * @throws SessionError `invalid_input` as for {@link SessionStore.put}
   */
  updateCas(session: SessionInput, expected: Cas, opts?: TenantOptions): Promise<UpdateCasResult>;
  /** Deletes a live session; returns whether one was deleted. */
  delete(key: SessionKey, opts?: TenantOptions): Promise<boolean>;
  /**
   * Bumps `updatedAt` and restarts the expiry; sets `ttlSecs` when given, keeps
   * it when null or omitted. Returns false for a missing or expired key: it
   * never resurrects.
   */
  touch(key: SessionKey, ttlSecs?: number | null, opts?: TenantOptions): Promise<boolean>;
  /** A view of this store where every call is fenced to `tenantId`. */
  forTenant(tenantId: string): TenantSessionStore;
  /** Releases what the store opened. Idempotent; later calls throw `unavailable`. */
  close(): Promise<void>;
}

/**
 * A {@link SessionStore} fenced to one tenant: reads, deletes and touches of
 * other tenants' keys see nothing; writes of sessions of another tenant throw
 * `tenant_mismatch`. When the store implements `SessionAdmin`, the view does
 * too (check with `hasSessionAdmin(view)`), refusing any other tenant.
 */
export interface TenantSessionStore {
  /** The tenant every call is fenced to. */
  readonly tenantId: string;
  /** See {@link SessionStore.get}. */
  get(key: SessionKey): Promise<StoredSession | null>;
  /** See {@link SessionStore.put}; `session.meta.tenantId` must be this tenant. */
  put(session: SessionInput): Promise<Cas>;
  /** See {@link SessionStore.updateCas}; `session.meta.tenantId` must be this tenant. */
  updateCas(session: SessionInput, expected: Cas): Promise<UpdateCasResult>;
  /** See {@link SessionStore.delete}. */
  delete(key: SessionKey): Promise<boolean>;
  /** See {@link SessionStore.touch}. */
  touch(key: SessionKey, ttlSecs?: number | null): Promise<boolean>;
}
