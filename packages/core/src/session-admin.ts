import type { Cas, SessionKey } from '@greentic/session-types';

/**
 * Which sessions an operator call covers: always one tenant, optionally
 * narrowed to one user and/or one team of that tenant (exact match on
 * `meta.userId` / `meta.teamId`).
 */
export interface SessionFilter {
  /** The tenant whose sessions are covered. Required: no call spans tenants. */
  readonly tenantId: string;
  /** Only sessions whose `meta.userId` is this value. */
  readonly userId?: string;
  /** Only sessions whose `meta.teamId` is this value. */
  readonly teamId?: string;
}

/** What an operator listing shows of a session: its header, never its contents. */
export interface SessionSummary {
  readonly key: SessionKey;
  /** The incarnation's UUID. */
  readonly id: string;
  readonly tenantId: string;
  readonly teamId: string | null;
  readonly userId: string | null;
  readonly cas: Cas;
  /** Last write or touch, ISO-8601 UTC. */
  readonly updatedAt: string;
  /** Lifetime in seconds after `updatedAt`; 0 never expires. */
  readonly ttlSecs: number;
}

/** How far a count or purge has gone; reported as it goes. */
export interface SessionScanProgress {
  /** Stored keys examined so far (all tenants; a backend's unit of work). */
  readonly scanned: number;
  /** Sessions matching the filter so far. */
  readonly matched: number;
  /** Sessions deleted so far (0 for a count or a dry run). */
  readonly deleted: number;
}

/** Options of {@link SessionAdmin.listSessions}. */
export interface ListSessionsOptions extends SessionFilter {
  /** The `cursor` of the previous page; omitted or null starts from the beginning. */
  readonly cursor?: string | null;
  /** Most sessions in one page (1..1000). @default 100 */
  readonly limit?: number;
}

/**
 * One page of a listing. A page may hold fewer than `limit` sessions (even
 * none) while `cursor` is not null: a backend bounds the work of one call.
 * Sessions written or deleted during a listing may or may not appear; a
 * session present for the whole listing appears at least once, and exactly
 * once unless the store's keyspace is resized or rewritten during the listing
 * (Redis SCAN may then return a key twice; the memory store never repeats one).
 */
export interface SessionPage {
  readonly sessions: readonly SessionSummary[];
  /** Pass back to get the next page; null when the listing is complete. */
  readonly cursor: string | null;
}

/** Options of {@link SessionAdmin.countSessions}. */
export interface CountSessionsOptions extends SessionFilter {
  /** Called as the count advances. A throwing callback aborts the count. */
  readonly onProgress?: (progress: SessionScanProgress) => void;
  /**
   * Aborts the call between two batches: it rejects with `signal.reason`, as
   * `fetch` does. What a purge deleted before the abort stays deleted.
   */
  readonly signal?: AbortSignal;
}

/** Options of {@link SessionAdmin.purgeSessions}. */
export interface PurgeSessionsOptions extends CountSessionsOptions {
  /** Count what would be deleted, delete nothing. @default false */
  readonly dryRun?: boolean;
}

/** What {@link SessionAdmin.purgeSessions} did. */
export interface PurgeSessionsResult {
  /** Stored keys examined. */
  readonly scanned: number;
  /** Sessions that matched the filter. */
  readonly matched: number;
  /** Sessions deleted (0 on a dry run; may be below `matched` when a session expired or was deleted meanwhile). */
  readonly deleted: number;
}

/**
 * The operator capability of a store: list, count and purge one tenant's
 * sessions. Optional in the contract: check with {@link hasSessionAdmin}.
 * The first-party memory and Redis stores implement it.
 */
export interface SessionAdmin {
  /**
   * One page of the tenant's live sessions matching the filter.
   * @throws SessionError `invalid_input` for a bad filter, limit or cursor
   */
  listSessions(opts: ListSessionsOptions): Promise<SessionPage>;
  /** How many live sessions of the tenant match the filter. */
  countSessions(opts: CountSessionsOptions): Promise<number>;
  /**
   * Deletes the tenant's live sessions matching the filter, each through the
   * store's atomic fenced delete: a session of another tenant is never
   * touched, and one re-created during the purge is either deleted whole or
   * left whole.
   */
  purgeSessions(opts: PurgeSessionsOptions): Promise<PurgeSessionsResult>;
}

/**
 * Whether a store offers the operator capability ({@link SessionAdmin}).
 *
 * @example
 * ```ts
 * if (hasSessionAdmin(store)) console.log(await store.countSessions({ tenantId: 'acme' }));
 * ```
 */
export function hasSessionAdmin<S extends object>(store: S): store is S & SessionAdmin {
  const s = store as Partial<SessionAdmin>;
  return (
    typeof s.listSessions === 'function' &&
    typeof s.countSessions === 'function' &&
    typeof s.purgeSessions === 'function'
  );
}
