import type {
  CountSessionsOptions,
  ListSessionsOptions,
  PurgeSessionsOptions,
  PurgeSessionsResult,
  SessionAdmin,
  SessionInput,
  SessionPage,
  SessionStore,
  SessionStoreEventName,
  SessionStoreListener,
  SessionSummary,
  SessionTelemetryOptions,
  TenantOptions,
  TenantSessionStore,
  UpdateCasResult,
} from '@greentic/session-core';
import {
  assertTenantFence,
  createTenantView,
  decodeSessionCursor,
  encodeSessionCursor,
  expiresAtMs,
  instrumentStore,
  invalidInput,
  matchesSessionFilter,
  type OpContext,
  type PreviousSnapshotLookup,
  prepareSessionWrite,
  readOptions,
  resolveSessionLimits,
  StoreObserver,
  sessionError,
  sessionSummaryOf,
  type ValidatedScanOptions,
  validateCas,
  validateCount,
  validateCountSessionsOptions,
  validateListSessionsOptions,
  validatePurgeSessionsOptions,
  validateSessionKey,
  validateTenantOptions,
  validateTouchTtl,
} from '@greentic/session-core/backend';
import {
  CAS_INITIAL,
  CAS_NONE,
  type Cas,
  type SessionKey,
  type SessionLimits,
  type SessionSnapshot,
  type StoredSession,
} from '@greentic/session-types';
import { ExpiryHeap, type HeapItem } from './expiry-heap.js';
import { TenantIndex } from './tenant-index.js';

const PKG = '@greentic/session-memory';

/** Options of {@link InMemorySessionStore}. */
export interface InMemorySessionStoreOptions {
  /** Clock in epoch milliseconds. @default Date.now */
  now?: () => number;
  /**
   * Most expired sessions evicted by one call. Each write adds at most one
   * expiring entry, so any value ≥ 2 drains expired entries faster than they
   * can pile up, without ever scanning the whole store while a caller waits.
   * @default 32
   */
  sweepBatchSize?: number;
  /**
   * Size limits of every write; any omitted limit keeps its default
   * (`maxLabelsBytes` 1048576, `maxLabelValues` 10000, `maxOutboxEntries`
   * 10000). Each must be a positive safe integer.
   * @default DEFAULT_SESSION_LIMITS
   */
  limits?: Partial<SessionLimits>;
  /**
   * OpenTelemetry: omitted, the globally registered providers when
   * `@opentelemetry/api` is installed; `false`, none. See the README.
   */
  telemetry?: SessionTelemetryOptions | false;
}

const OPTION_NAMES = ['now', 'sweepBatchSize', 'limits', 'telemetry'] as const;

interface Entry extends HeapItem {
  /** Frozen `{ session, cas }`, handed out as is: a read costs a Map lookup. */
  stored: StoredSession;
}

const OPS = [
  'constructor',
  'get',
  'put',
  'updateCas',
  'delete',
  'touch',
  'sweepExpired',
  'openSessionStore',
  'listSessions',
  'countSessions',
  'purgeSessions',
] as const;
const CTX = Object.fromEntries(OPS.map((op) => [op, Object.freeze({ pkg: PKG, op })])) as Record<
  (typeof OPS)[number],
  OpContext
>;
function ctx(op: (typeof OPS)[number]): OpContext {
  return CTX[op];
}

/**
 * A `SessionStore` in one process's memory: tests, local development and
 * single-process bots. Same semantics as every other backend (CAS, ABA check,
 * tenant fence, TTL); sessions are deeply frozen snapshots, so a read is a
 * `Map` lookup and no caller can change stored state.
 *
 * Expiry is exact: an expired session is never returned. Expired entries are
 * evicted lazily on access and in bounded batches (an expiry heap), never by
 * a scan of the whole map.
 *
 * @example
 * ```ts
 * const store = new InMemorySessionStore();
 * const cas = await store.put(createSession({ key, tenantId: 'acme', flowId: 'f', nodeId: 'n', ttlSecs: 3600 }));
 * ```
 */
export class InMemorySessionStore implements SessionStore, SessionAdmin {
  readonly #entries = new Map<SessionKey, Entry>();
  /** tenant → its keys: the operator calls cost what the tenant holds, not the store. */
  readonly #tenants = new TenantIndex();
  readonly #heap = new ExpiryHeap<Entry>();
  readonly #now: () => number;
  readonly #sweepBatchSize: number;
  readonly #limits: SessionLimits;
  readonly #observer: StoreObserver;
  /** The stored snapshot under a key, expired or not: writes reuse its unchanged parts. */
  readonly #previous: PreviousSnapshotLookup = (key) => this.#entries.get(key)?.stored.session;
  #closed = false;

  /**
   * @param options - a plain object: clock, sweep batch size and size limits
   * @throws SessionError `invalid_input` for bad options
   */
  constructor(options: InMemorySessionStoreOptions = {}) {
    const c = ctx('constructor');
    const o = readOptions(options, OPTION_NAMES, c, 'options');
    const now = o.now ?? Date.now;
    const sweepBatchSize = o.sweepBatchSize ?? 32;
    if (typeof now !== 'function') throw invalidInput(c, 'options.now must be a function');
    validateCount(sweepBatchSize, c, 'options.sweepBatchSize');
    if ((sweepBatchSize as number) < 1)
      throw invalidInput(c, 'options.sweepBatchSize must be at least 1');
    this.#now = now as () => number;
    this.#sweepBatchSize = sweepBatchSize as number;
    this.#limits = resolveSessionLimits(o.limits, c);
    this.#observer = new StoreObserver({
      pkg: PKG,
      system: 'memory',
      telemetry: o.telemetry,
      ctx: c,
    });
    instrumentStore(this, this.#observer);
    this.#observer.gauge(
      'greentic.session.memory.size',
      'Entries held, expired ones not yet evicted included.',
      () => this.#entries.size,
    );
  }

  /**
   * Hooks: `error`, `conflict`, `retry` (from `mutate`), `expired` (sessions
   * evicted by the sweep or on access). See the README.
   *
   * @returns a function that removes the listener
   */
  on<E extends SessionStoreEventName>(event: E, listener: SessionStoreListener<E>): () => void {
    return this.#observer.on(event, listener);
  }

  /** The size limits every write of this store enforces (frozen). */
  get limits(): SessionLimits {
    return this.#limits;
  }

  /** Number of entries held, including expired ones not yet evicted. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Reads a live session and its cas (a `Map` lookup; the frozen snapshot is
   * handed out as is). With `opts.tenantId`, another tenant's key reads as null.
   */
  async get(key: SessionKey, opts?: TenantOptions): Promise<StoredSession | null> {
    const c = ctx('get');
    const tenantId = validateTenantOptions(opts, c);
    const entry = this.#live(key, c);
    if (entry === undefined || !owns(entry, tenantId)) return null;
    return entry.stored;
  }

  /**
   * Creates or replaces a session: 1 for a new (or expired) key, else stored
   * cas + 1. Fenced by `opts.tenantId`; `tenant_mismatch` when another tenant
   * owns the key.
   */
  async put(session: SessionInput, opts?: TenantOptions): Promise<Cas> {
    const c = ctx('put');
    const tenantId = validateTenantOptions(opts, c);
    const now = this.#open(c);
    // From here on only `next`, the validated copy, is looked at.
    const next = prepareSessionWrite(session, c, now, this.#previous, this.#limits);
    assertTenantFence(next, tenantId, c);
    const current = this.#live(next.key, c);
    if (current !== undefined) assertSameTenant(current, next, c);
    const cas = current === undefined ? CAS_INITIAL : current.stored.cas + 1;
    this.#write(next, cas, now, current);
    return cas;
  }

  /**
   * Writes only over a live session with the same id and cas `expected`
   * (`expected` 0: only when none is live); otherwise returns the conflict.
   */
  async updateCas(
    session: SessionInput,
    expected: Cas,
    opts?: TenantOptions,
  ): Promise<UpdateCasResult> {
    const c = ctx('updateCas');
    const tenantId = validateTenantOptions(opts, c);
    const now = this.#open(c);
    // From here on only `next`, the validated copy, is looked at.
    const next = prepareSessionWrite(session, c, now, this.#previous, this.#limits);
    validateCas(expected, c);
    assertTenantFence(next, tenantId, c);
    const current = this.#live(next.key, c);
    if (current === undefined) {
      if (expected !== CAS_NONE) return { ok: false, current: CAS_NONE, reason: 'missing' };
      // Create only if absent: nothing live under the key, so this writer wins.
      const written = this.#write(next, CAS_INITIAL, now, undefined);
      return { ok: true, cas: CAS_INITIAL, session: written.session };
    }
    assertSameTenant(current, next, c);
    const stored = current.stored;
    if (stored.session.id !== next.id)
      return { ok: false, current: stored.cas, reason: 'replaced' };
    if (stored.cas !== expected) return { ok: false, current: stored.cas, reason: 'stale' };
    const cas = expected + 1;
    const written = this.#write(next, cas, now, current);
    return { ok: true, cas, session: written.session };
  }

  /** Deletes a live session; returns whether one was deleted. */
  async delete(key: SessionKey, opts?: TenantOptions): Promise<boolean> {
    const c = ctx('delete');
    const tenantId = validateTenantOptions(opts, c);
    const entry = this.#live(key, c);
    if (entry === undefined || !owns(entry, tenantId)) return false;
    this.#evict(key, entry);
    return true;
  }

  /**
   * Bumps `updatedAt` and restarts the expiry, keeping the cas; sets
   * `ttlSecs` when given. False for a missing or expired key.
   */
  async touch(key: SessionKey, ttlSecs?: number | null, opts?: TenantOptions): Promise<boolean> {
    const c = ctx('touch');
    const ttl = validateTouchTtl(ttlSecs, c);
    const tenantId = validateTenantOptions(opts, c);
    const entry = this.#live(key, c);
    if (entry === undefined || !owns(entry, tenantId)) return false;
    const now = this.#now();
    const { session, cas } = entry.stored;
    // Only the top level changes; nested frozen objects are shared.
    const touched: SessionSnapshot = Object.freeze({
      ...session,
      updatedAt: new Date(now).toISOString(),
      ttlSecs: ttl ?? session.ttlSecs,
    });
    this.#write(touched, cas, now, entry);
    return true;
  }

  /**
   * One page of the tenant's live sessions matching the filter, in ascending
   * key order. The cursor is the last key returned (encoded), so a session
   * present for the whole listing appears exactly once, whatever is written
   * meanwhile. Costs time in proportion to the tenant's sessions.
   *
   * @throws SessionError `invalid_input` for bad options or a cursor this
   *   store did not return for this filter
   */
  async listSessions(opts: ListSessionsOptions): Promise<SessionPage> {
    const c = ctx('listSessions');
    const { filter, cursor, limit } = validateListSessionsOptions(opts, c);
    const after =
      cursor === null ? null : (decodeSessionCursor(cursor, PKG, filter, 1, c)[0] as SessionKey);
    const now = this.#open(c);
    const { keys, start } = this.#tenants.sortedAfter(filter.tenantId, after);
    const sessions: SessionSummary[] = [];
    let i = start;
    for (; i < keys.length && sessions.length < limit; i++) {
      const entry = this.#entries.get(keys[i] as SessionKey);
      // Expired entries are skipped, not evicted: eviction would change the
      // shared sorted array while it is being walked.
      if (entry === undefined || entry.expiresAt <= now) continue;
      const { tenantId, userId, teamId } = entry.stored.session.meta;
      if (!matchesSessionFilter(filter, tenantId, userId, teamId)) continue;
      sessions.push(sessionSummaryOf(entry.stored));
    }
    const last = sessions.at(-1);
    const more = i < keys.length && last !== undefined;
    return Object.freeze({
      sessions: Object.freeze(sessions),
      cursor: more ? encodeSessionCursor(PKG, filter, [last.key]) : null,
    });
  }

  /** How many live sessions of the tenant match the filter. */
  async countSessions(opts: CountSessionsOptions): Promise<number> {
    const c = ctx('countSessions');
    const options = validateCountSessionsOptions(opts, c);
    return (await this.#scan(c, options, false)).matched;
  }

  /**
   * Deletes the tenant's live sessions matching the filter, each through the
   * same fenced path as {@link InMemorySessionStore.delete}; the filter is
   * checked again on the entry at the moment it is deleted, so a session
   * re-created meanwhile for another user stays. With `dryRun`, counts only.
   */
  async purgeSessions(opts: PurgeSessionsOptions): Promise<PurgeSessionsResult> {
    const c = ctx('purgeSessions');
    const options = validatePurgeSessionsOptions(opts, c);
    return this.#scan(c, options, !options.dryRun);
  }

  /**
   * Walks the tenant's keys in batches; between batches it reports progress,
   * honours the signal and yields to the event loop, so a large purge never
   * holds the process for long.
   */
  async #scan(
    c: OpContext,
    options: ValidatedScanOptions,
    remove: boolean,
  ): Promise<PurgeSessionsResult> {
    const { filter, onProgress, signal } = options;
    signal?.throwIfAborted();
    this.#open(c);
    const keys = this.#tenants.keys(filter.tenantId);
    let scanned = 0;
    let matched = 0;
    let deleted = 0;
    for (let from = 0; from < keys.length; from += SCAN_BATCH) {
      if (from > 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        signal?.throwIfAborted();
      }
      this.#assertOpen(c);
      const to = Math.min(from + SCAN_BATCH, keys.length);
      for (let i = from; i < to; i++) {
        scanned++;
        const key = keys[i] as SessionKey;
        const entry = this.#live(key, c);
        if (entry === undefined) continue;
        const { tenantId, userId, teamId } = entry.stored.session.meta;
        if (!matchesSessionFilter(filter, tenantId, userId, teamId)) continue;
        matched++;
        if (remove) {
          this.#evict(key, entry);
          deleted++;
        }
      }
      onProgress?.(Object.freeze({ scanned, matched, deleted }));
    }
    return Object.freeze({ scanned, matched, deleted });
  }

  /** A view of this store where every call is fenced to `tenantId`. */
  forTenant(tenantId: string): TenantSessionStore {
    return createTenantView(this, tenantId);
  }

  /**
   * Evicts up to `limit` expired sessions now. Calls already do this in small
   * batches; use it from a timer when the store may sit idle with many
   * expired sessions.
   *
   * @param limit - most sessions to evict @default Infinity
   * @returns how many were evicted
   */
  sweepExpired(limit: number = Number.POSITIVE_INFINITY): number {
    const c = ctx('sweepExpired');
    if (limit !== Number.POSITIVE_INFINITY) validateCount(limit, c, 'limit');
    this.#assertOpen(c);
    return this.#sweep(this.#now(), limit);
  }

  /** Drops every session; later calls throw `unavailable`. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#observer.close();
    this.#entries.clear();
    this.#heap.clear();
    this.#tenants.clear();
  }

  /** Throws when closed; evicts a small batch of expired sessions; returns now. */
  #open(c: OpContext): number {
    this.#assertOpen(c);
    const now = this.#now();
    this.#sweep(now, this.#sweepBatchSize);
    return now;
  }

  #assertOpen(c: OpContext): void {
    if (this.#closed) throw sessionError('unavailable', c, 'the store is closed');
  }

  #sweep(now: number, limit: number): number {
    let evicted = 0;
    for (
      let top = this.#heap.peek();
      top !== undefined && top.expiresAt <= now && evicted < limit;
      top = this.#heap.peek()
    ) {
      this.#evict(top.stored.session.key, top);
      evicted++;
    }
    if (evicted > 0) this.#observer.expired(evicted);
    return evicted;
  }

  /**
   * The live entry for `key`, evicting it when it has expired. A key found in
   * the map was validated when it was written, so only a miss pays for
   * validating it: this keeps a read close to a bare `Map.get`.
   */
  #live(key: SessionKey, c: OpContext): Entry | undefined {
    const now = this.#open(c);
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      validateSessionKey(key, c);
      return undefined;
    }
    if (entry.expiresAt <= now) {
      this.#evict(key, entry);
      this.#observer.expired(1);
      return undefined;
    }
    return entry;
  }

  #write(
    session: SessionSnapshot,
    cas: Cas,
    now: number,
    current: Entry | undefined,
  ): StoredSession {
    const stored: StoredSession = Object.freeze({ session, cas });
    const expiresAt = expiresAtMs(now, session.ttlSecs);
    if (current !== undefined) {
      current.stored = stored;
      current.expiresAt = expiresAt;
      const finite = expiresAt !== Number.POSITIVE_INFINITY;
      if (current.heapIndex >= 0) {
        if (finite) this.#heap.update(current);
        else this.#heap.remove(current);
      } else if (finite) this.#heap.push(current);
      return stored;
    }
    const entry: Entry = { stored, expiresAt, heapIndex: -1 };
    this.#entries.set(session.key, entry);
    this.#tenants.add(session.meta.tenantId, session.key);
    if (expiresAt !== Number.POSITIVE_INFINITY) this.#heap.push(entry);
    return stored;
  }

  #evict(key: SessionKey, entry: Entry): void {
    this.#heap.remove(entry);
    this.#entries.delete(key);
    this.#tenants.remove(entry.stored.session.meta.tenantId, key);
  }
}

/** Keys examined between two progress reports (and two abort checks) of a count or purge. */
const SCAN_BATCH = 1000;

function owns(entry: Entry, tenantId: string | undefined): boolean {
  return tenantId === undefined || entry.stored.session.meta.tenantId === tenantId;
}

function assertSameTenant(current: Entry, next: SessionSnapshot, c: OpContext): void {
  const owner = current.stored.session.meta.tenantId;
  if (owner !== next.meta.tenantId) {
    throw sessionError(
      'tenant_mismatch',
      c,
      `key ${JSON.stringify(next.key)} belongs to another tenant; session.meta.tenantId ${JSON.stringify(next.meta.tenantId)} may not write it`,
    );
  }
}

/**
 * Creates an {@link InMemorySessionStore}.
 *
 * @param options - clock and sweep batch size
 */
export function createInMemorySessionStore(
  options: InMemorySessionStoreOptions = {},
): InMemorySessionStore {
  return new InMemorySessionStore(options);
}

/**
 * Opens a store from a `memory://` URL; `createSessionStore` from
 * `@greentic/session-core` calls it. `memory://?sweepBatchSize=64` sets the
 * option; other options (`limits`, `now`) come in `options`. Error messages
 * never echo the URL.
 *
 * @param url - `memory://`, optionally with `?sweepBatchSize=N`
 * @param options - a plain object of {@link InMemorySessionStoreOptions}
 * @throws SessionError `invalid_input` for another scheme, an unknown
 *   parameter or bad options
 */
export function openSessionStore(
  url: string,
  options: InMemorySessionStoreOptions = {},
): InMemorySessionStore {
  const c = ctx('openSessionStore');
  if (typeof url !== 'string') throw invalidInput(c, 'url must be a string');
  const merged: Record<string, unknown> = { ...readOptions(options, OPTION_NAMES, c, 'options') };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    // The URL is not shown: a mistyped Redis URL may hold a password.
    throw sessionError('invalid_input', c, `url is not a valid URL (length ${url.length})`, err);
  }
  if (parsed.protocol !== 'memory:')
    throw invalidInput(
      c,
      'url must start with memory:// (the URL is not shown: it may hold credentials)',
    );
  for (const [name, value] of parsed.searchParams) {
    if (name !== 'sweepBatchSize')
      throw invalidInput(c, `url parameter ${JSON.stringify(name.slice(0, 40))} is not known`);
    merged.sweepBatchSize = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  }
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  return new InMemorySessionStore(merged as InMemorySessionStoreOptions);
}
