import {
  createOutboxEntry,
  createSession,
  mutableJsonCopy,
  type SessionInput,
  type SessionStore,
  type TenantSessionStore,
} from '@greentic/session-core';
import {
  approxSessionBytes,
  describeValue,
  invalidInput,
  type OpContext,
  observerOf,
  readOptions,
  sessionError,
  validateCount,
  validateSessionKey,
  validateTtlSecs,
} from '@greentic/session-core/backend';
import type {
  Cas,
  JsonValue,
  OutboxEntry,
  SessionKey,
  SessionSnapshot,
  StoredSession,
} from '@greentic/session-types';
import { tenantViewOf } from './store-options.js';
import {
  hasEvent,
  nextTurnLabel,
  normalizeEventId,
  storedEvents,
  TURN_LABEL,
} from './turn-state.js';

const PKG = '@greentic/session-turn';
const ctx = (op: string): OpContext => ({ pkg: PKG, op });
// Contexts of the per-turn calls, made once: a turn allocates none.
const RUN_CTX = ctx('run');
const EFFECT_CTX = ctx('effect');
const NO_ENTRIES: readonly Readonly<OutboxEntry>[] = Object.freeze([]);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Options of {@link createTurnRunner}. */
export interface TurnRunnerOptions<D = JsonValue> {
  /** The store, or a tenant view of it (`store.forTenant(tenantId)`). */
  store: SessionStore | TenantSessionStore;
  /** Tenant that owns the sessions; required with a plain store, must match a view's tenant. */
  tenantId?: string;
  /** `cursor.flowId` of sessions the runner creates (flowless bots: the adapter's name). @default 'turn' */
  flowId?: string;
  /**
   * `ttlSecs` written with every commit (and so the expiry restarts on every
   * turn). When omitted, new sessions never expire and existing ones keep theirs.
   */
  ttlSecs?: number;
  /** Draft for a session without `data` (called once per attempt). @default () => undefined */
  initial?: () => D | undefined;
  /** How many recent event ids each session remembers to skip redeliveries. @default 64 */
  rememberEvents?: number;
  /**
   * How many recent outbox entries each session keeps (older ones are
   * dropped; a turn's own entries are always all kept). 0 keeps none. Every
   * kept entry is rewritten by every turn, so this bounds the cost per update:
   * the default keeps the last few turns' record (one entry per effect), enough
   * to find what a turn that crashed before delivering meant to send until
   * a few newer turns of the same session have committed.
   * @default 4
   */
  keepOutbox?: number;
  /**
   * How many recently committed sessions the runner keeps in memory (the
   * least recently committed or read dropped first) to start the next turn of
   * the same key without reading it. The commit's compare-and-set checks the
   * session's incarnation and cas: if another write came in between, that
   * attempt is discarded (draft and effects) like a conflict, and the turn
   * goes on at once from a fresh read, without backoff and without using up
   * one of `maxAttempts`; a handler that throws on a cached session is run
   * again on a fresh read before its error counts. Each entry holds one
   * session as stored (about its JSON size). 0 reads every time.
   *
   * Used only when `ttlSecs` is set: `touch` changes a session's TTL without
   * a new cas, so a runner that keeps each session's own TTL (no `ttlSecs`)
   * must read it. With `ttlSecs` every commit writes the runner's TTL anyway.
   * When several processes take turns on the same sessions, most cached
   * starts are stale and cost one more handler run and round trip: set 0 there.
   * @default 1000
   */
  cacheSessions?: number;
  /**
   * Most bytes the cache of `cacheSessions` holds, counted as
   * `approxSessionBytes` of `@greentic/session-core/backend` does (about the
   * sessions' JSON size; the heap they take is typically 1 to 4 times that):
   * the least recently used sessions are dropped beyond it, and a session
   * larger than all of it is not cached. 0 reads every time.
   * @default 33554432 (32 MiB)
   */
  cacheBytes?: number;
  /** Most get → handler → updateCas attempts per turn (a stale cached start is not counted). @default 16 */
  maxAttempts?: number;
  /** First backoff cap in ms; doubles per attempt (full jitter). @default 5 */
  baseDelayMs?: number;
  /** Largest backoff cap in ms. @default 200 */
  maxDelayMs?: number;
  /** Source of randomness in [0, 1) for the jitter. @default Math.random */
  random?: () => number;
}

/** Per-turn options of {@link TurnRunner.run}. */
export interface RunTurnOptions {
  /** `meta.userId` if the turn creates the session. @default null */
  userId?: string | null;
  /** `meta.teamId` if the turn creates the session. @default null */
  teamId?: string | null;
}

/** A side effect's payload: hashed into the outbox (strings as UTF-8, other JSON as `JSON.stringify`). */
export type EffectPayload = string | Uint8Array | JsonValue;

/**
 * What a turn handler sees: a mutable draft of the session's `data` and a
 * buffer for side effects. A handler may run more than once (once per
 * conflicting attempt); only the draft and effects of the attempt that commits count.
 */
export interface Turn<D = JsonValue> {
  /** Mutable deep copy of `session.data` (or `initial()`); assign to replace, `undefined` to remove. */
  data: D | undefined;
  /** The snapshot this attempt started from. */
  readonly session: SessionSnapshot;
  /** Its cas. */
  readonly cas: Cas;
  /** 1 for the first attempt, +1 per conflict. */
  readonly attempt: number;
  /** The inbound event id, as a string. */
  readonly eventId: string;
  /** False once the handler has settled: effects can no longer be buffered. */
  readonly open: boolean;
  /**
   * Buffers a side effect. It is recorded in the outbox (seq, sha256 of
   * `payload`) in the commit and `perform` is called after the commit, in order.
   * Discarded if the attempt loses a conflict or the handler throws.
   *
   * @throws SessionError `invalid_input` when the turn is no longer open or `perform` is not a function
   */
  effect(payload: EffectPayload, perform: () => unknown): void;
}

/** Runs one event's logic against a turn. */
export type TurnHandler<D = JsonValue> = (turn: Turn<D>) => void | Promise<void>;

/** What {@link TurnRunner.run} did. */
export type TurnResult =
  | {
      /** The turn was committed and its effects performed. */
      readonly status: 'committed';
      /** The session as stored. */
      readonly session: SessionSnapshot;
      /** Its cas. */
      readonly cas: Cas;
      /** Handler attempts (1 = no conflict; a stale cached start counts as one). */
      readonly attempts: number;
      /** Outbox entries the commit added, one per effect, in order. */
      readonly outbox: readonly Readonly<OutboxEntry>[];
      /** What each effect's `perform` returned, in order. */
      readonly results: readonly unknown[];
    }
  | {
      /** The event id was already committed: the handler did not run, nothing was written or sent. */
      readonly status: 'duplicate';
      /** The session as stored. */
      readonly session: SessionSnapshot;
      /** Its cas. */
      readonly cas: Cas;
      /** Reads it took (1 normally). */
      readonly attempts: number;
    };

/** Runs events as turns on one store; see {@link createTurnRunner}. */
export interface TurnRunner<D = JsonValue> {
  /** The tenant every turn is fenced to. */
  readonly tenantId: string;
  /**
   * Runs `handler` as the turn for `eventId` on the session under `key`
   * (created if absent): the draft is committed with `updateCas` together with
   * the event id and one outbox entry per effect; then the effects are performed
   * in order. Conflicts re-run the handler on the fresh session. An event id
   * already committed is skipped.
   *
   * Delivery is at most once: effects run after the commit, so if the process
   * dies between the commit and the last effect, or an effect throws, the
   * remaining effects are not performed, and a redelivery of the event is
   * skipped as a duplicate. The outbox entries are the durable record of what
   * the turn meant to send.
   *
   * @throws whatever `handler` throws (nothing written, nothing sent);
   *   whatever an effect throws (state committed, later effects not performed);
   *   SessionError `conflict` after `maxAttempts` conflicts, `invalid_input`,
   *   `tenant_mismatch`, `unavailable`, `timeout`
   */
  run(
    key: SessionKey,
    eventId: string | number,
    handler: TurnHandler<D>,
    opts?: RunTurnOptions,
  ): Promise<TurnResult>;
}

interface Effect {
  readonly payload: string | Uint8Array;
  readonly perform: () => unknown;
}

class TurnAttempt<D> implements Turn<D> {
  data: D | undefined;
  readonly effects: Effect[] = [];
  added: readonly Readonly<OutboxEntry>[] = NO_ENTRIES;
  #open = true;

  constructor(
    readonly session: SessionSnapshot,
    readonly cas: Cas,
    readonly attempt: number,
    readonly eventId: string,
    initial: () => D | undefined,
  ) {
    this.data =
      session.data === undefined ? initial() : (mutableJsonCopy(session.data, RUN_CTX) as D);
  }

  get open(): boolean {
    return this.#open;
  }

  close(): void {
    this.#open = false;
  }

  effect(payload: EffectPayload, perform: () => unknown): void {
    const c = EFFECT_CTX;
    if (!this.#open) {
      throw invalidInput(c, `the turn for event ${JSON.stringify(this.eventId)} is over`);
    }
    if (typeof perform !== 'function') {
      throw invalidInput(c, `perform must be a function, got ${describeValue(perform)}`);
    }
    let bytes: string | Uint8Array;
    if (typeof payload === 'string' || payload instanceof Uint8Array) bytes = payload;
    else {
      let json: string | undefined;
      try {
        json = JSON.stringify(payload);
      } catch (err) {
        throw sessionError('invalid_input', c, 'payload is not JSON-serializable', err);
      }
      if (json === undefined) {
        throw invalidInput(c, `payload must be JSON, got ${describeValue(payload)}`);
      }
      bytes = json;
    }
    this.effects.push({ payload: bytes, perform });
  }
}

function count(value: unknown, fallback: number, field: string, min: number, max: number): number {
  const c = ctx('createTurnRunner');
  if (value === undefined) return fallback;
  const n = validateCount(value, c, `options.${field}`);
  if (n < min || n > max) {
    throw invalidInput(c, `options.${field} must be ${min}..${max}, got ${n}`);
  }
  return n;
}

/** The option names {@link createTurnRunner} accepts (internal: the middleware reads them too). */
export const TURN_RUNNER_OPTION_NAMES: readonly string[] = [
  'store',
  'tenantId',
  'flowId',
  'ttlSecs',
  'initial',
  'rememberEvents',
  'keepOutbox',
  'cacheSessions',
  'cacheBytes',
  'maxAttempts',
  'baseDelayMs',
  'maxDelayMs',
  'random',
];

const RUN_OPTION_NAMES = ['userId', 'teamId'];

/** A cached session and its size as {@link approxSessionBytes} counts it. */
interface CachedSession {
  readonly stored: StoredSession;
  readonly bytes: number;
}

/** What one attempt returns when its commit lost the race. */
const CONFLICT = Symbol('conflict');
/** What an attempt started from a cached session returns when the session had changed. */
const STALE = Symbol('stale');

/**
 * Creates a turn runner: the framework-neutral core of the bot adapters.
 *
 * @param options - store, tenant and bounds
 * @throws SessionError `invalid_input` for a bad option, `tenant_mismatch` when
 *   `tenantId` differs from the tenant of a view
 * @example
 * ```ts
 * const runner = createTurnRunner<{ count: number }>({ store, tenantId: 'acme', initial: () => ({ count: 0 }) });
 * await runner.run(key, update.update_id, async (turn) => {
 *   turn.data!.count += 1;
 *   turn.effect({ text: `count ${turn.data!.count}` }, () => send(`count ${turn.data!.count}`));
 * });
 * ```
 */
export function createTurnRunner<D = JsonValue>(options: TurnRunnerOptions<D>): TurnRunner<D> {
  const c = ctx('createTurnRunner');
  // Each option read once: a getter or Proxy cannot validate one value and run another.
  const o = readOptions(options, TURN_RUNNER_OPTION_NAMES, c, 'options');
  const { view, tenantId } = tenantViewOf(o.store, o.tenantId, c);
  const givenFlowId = o.flowId ?? 'turn';
  if (typeof givenFlowId !== 'string' || givenFlowId.length === 0 || givenFlowId.length > 1024) {
    throw invalidInput(
      c,
      `options.flowId must be a non-empty string, got ${describeValue(givenFlowId)}`,
    );
  }
  const flowId: string = givenFlowId;
  const ttlSecs =
    o.ttlSecs === undefined ? undefined : validateTtlSecs(o.ttlSecs, c, 'options.ttlSecs');
  const initial = (o.initial ?? (() => undefined)) as () => D | undefined;
  if (typeof initial !== 'function') throw invalidInput(c, 'options.initial must be a function');
  const random = (o.random ?? Math.random) as () => number;
  if (typeof random !== 'function') throw invalidInput(c, 'options.random must be a function');
  const rememberEvents = count(o.rememberEvents, 64, 'rememberEvents', 1, 10_000);
  const keepOutbox = count(o.keepOutbox, 4, 'keepOutbox', 0, 10_000);
  const maxAttempts = count(o.maxAttempts, 16, 'maxAttempts', 1, 1_000);
  const cacheSessions = count(o.cacheSessions, 1000, 'cacheSessions', 0, 1_000_000);
  const cacheBytes = count(o.cacheBytes, 32 * 1024 * 1024, 'cacheBytes', 0, 2 ** 40);
  /** Key → the session as this runner last committed (or read) it, oldest first. */
  const cache = new Map<SessionKey, CachedSession>();
  let cachedBytes = 0;
  const useCache = cacheSessions > 0 && cacheBytes > 0 && ttlSecs !== undefined;
  const forget = (key: SessionKey) => {
    const entry = cache.get(key);
    if (entry === undefined) return;
    cache.delete(key);
    cachedBytes -= entry.bytes;
  };
  const remember = (key: SessionKey, stored: StoredSession) => {
    if (!useCache) return;
    forget(key);
    let bytes: number;
    try {
      bytes = approxSessionBytes(stored.session);
    } catch {
      return; // not a snapshot a store could have returned: never cached
    }
    // `!(… <= …)` also leaves out a NaN size.
    if (!(bytes <= cacheBytes)) return;
    cache.set(key, { stored, bytes });
    cachedBytes += bytes;
    while (cache.size > cacheSessions || cachedBytes > cacheBytes) {
      forget(cache.keys().next().value as SessionKey);
    }
  };
  const baseDelayMs = count(o.baseDelayMs, 5, 'baseDelayMs', 0, 60_000);
  const maxDelayMs = count(o.maxDelayMs, 200, 'maxDelayMs', 0, 60_000);
  // Full jitter, as `mutate`: after the n-th conflict wait up to
  // min(maxDelayMs, baseDelayMs * 2^(n-1)) ms.
  const backoffMs = (attempt: number) => {
    const r = random();
    if (typeof r !== 'number' || !(r >= 0 && r < 1)) {
      throw invalidInput(
        RUN_CTX,
        `options.random must return a number in [0, 1), got ${describeValue(r)}`,
      );
    }
    return Math.floor(r * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
  };

  async function run(
    key: SessionKey,
    eventId: string | number,
    handler: TurnHandler<D>,
    opts?: RunTurnOptions,
  ): Promise<TurnResult> {
    const rc = RUN_CTX;
    validateSessionKey(key, rc);
    const id = normalizeEventId(eventId, rc);
    if (typeof handler !== 'function') {
      throw invalidInput(rc, `handler must be a function, got ${describeValue(handler)}`);
    }
    let userId: string | null = null;
    let teamId: string | null = null;
    if (opts !== undefined) {
      const o = readOptions(opts, RUN_OPTION_NAMES, rc);
      userId = (o.userId ?? null) as string | null;
      teamId = (o.teamId ?? null) as string | null;
    }

    // One get and one updateCas per attempt, whether the session exists or
    // not: a missing one is started blank in memory and committed with
    // `updateCas(session, 0)`, the store's create-only-if-absent, so a worker
    // that created it meanwhile makes this attempt a conflict like any other.
    // The draft is validated once, by the store's write. The first attempt
    // skips the get when this runner committed the key recently (the cache,
    // only with ttlSecs): the commit's check of incarnation and cas catches
    // any write in between (a touch changes no cas, but with ttlSecs nothing
    // a touch changes is kept by a commit anyway).
    // Observed like a `mutate` of the store: a span per turn with one per
    // attempt, `retry` events, and the attempts histogram (see the README).
    const observation = observerOf(view)?.mutate(key, tenantId);
    let attempt = 0;
    // A stale cached start does not use up one of `maxAttempts`.
    let limit = maxAttempts;
    try {
      for (attempt = 1; attempt <= limit; attempt++) {
        const n = attempt;
        const cached = n === 1 && useCache;
        const step =
          observation === undefined
            ? await once(n, cached)
            : await observation.attempt(n, () => once(n, cached));
        if (step === STALE) {
          // Someone else wrote the key since this runner cached it: read it
          // now, without waiting (this was no contention with a live writer).
          limit++;
          observation?.retry(attempt + 1, 0);
          continue;
        }
        if (step !== CONFLICT) {
          // A redelivered event changes nothing: the turn is the application's
          // to skip, not a store outcome (`aborted`, as a throwing handler).
          if (step.status === 'duplicate') observation?.end(n, 'error', 'duplicate');
          else observation?.end(n, 'ok');
          return step;
        }
        if (attempt < limit) {
          const delayMs = backoffMs(attempt);
          observation?.retry(attempt + 1, delayMs);
          await sleep(delayMs);
        }
      }
      throw sessionError(
        'conflict',
        rc,
        `gave up on the turn for key ${JSON.stringify(key)} after ${maxAttempts} conflicting attempts`,
      );
    } catch (err) {
      observation?.end(Math.min(attempt, limit), 'error', err);
      throw err;
    }

    async function once(
      attempt: number,
      fromCache: boolean,
    ): Promise<TurnResult | typeof CONFLICT | typeof STALE> {
      const cached = fromCache ? cache.get(key)?.stored : undefined;
      let events = cached === undefined ? '' : storedEvents(cached.session);
      // A cached session that already holds this id is read again: a
      // duplicate is decided on what is stored, never on a memory of it.
      const speculative = cached !== undefined && !hasEvent(events, id);
      const got = speculative ? cached : await view.get(key);
      const current =
        got === null
          ? createSession({
              key,
              tenantId,
              flowId,
              nodeId: 'main',
              ttlSecs: ttlSecs ?? 0,
              userId,
              teamId,
            })
          : got.session;
      const cas = got === null ? 0 : got.cas;
      if (!speculative) events = storedEvents(current);
      if (got !== null && !speculative && hasEvent(events, id)) {
        remember(key, got);
        return { status: 'duplicate', session: current, cas, attempts: attempt };
      }
      const turn = new TurnAttempt<D>(current, cas, attempt, id, initial);
      try {
        await handler(turn);
      } catch (err) {
        // The cached session may be out of date: judge the handler on a fresh read.
        if (speculative) {
          forget(key);
          return STALE;
        }
        throw err;
      } finally {
        turn.close();
      }
      const written = await view.updateCas(nextSession(current, turn, events, id), cas);
      if (written.ok) {
        remember(key, { session: written.session, cas: written.cas });
        const results: unknown[] = [];
        for (const effect of turn.effects) results.push(await effect.perform());
        return {
          status: 'committed',
          session: written.session,
          cas: written.cas,
          attempts: attempt,
          outbox: turn.added,
          results,
        };
      }
      if (speculative) {
        forget(key);
        return STALE;
      }
      return CONFLICT;
    }
  }

  function nextSession(
    current: SessionSnapshot,
    turn: TurnAttempt<D>,
    events: string,
    id: string,
  ): SessionInput {
    const nowMs = Date.now();
    let seq = current.cursor.outboxSeq;
    const added = turn.effects.map((e) => createOutboxEntry(++seq, e.payload, nowMs));
    turn.added = added;
    // The committed turn's own entries are always kept (they are the record
    // of what it is about to send); older ones up to `keepOutbox` in all.
    let outbox: readonly Readonly<OutboxEntry>[] = [];
    if (keepOutbox > 0) {
      const older = current.outbox;
      const keepOlder = Math.max(0, keepOutbox - added.length);
      outbox =
        keepOlder === 0
          ? added
          : added.length === 0 && older.length <= keepOlder
            ? older
            : [...older.slice(Math.max(0, older.length - keepOlder)), ...added];
    }
    const { meta, cursor } = current;
    // Built field by field: unchanged parts are the snapshot's own (frozen,
    // validated) objects, which a store that remembers them need not check again.
    const next: SessionInput = {
      id: current.id,
      key: current.key,
      cursor:
        seq === cursor.outboxSeq
          ? cursor
          : {
              flowId: cursor.flowId,
              nodeId: cursor.nodeId,
              waitReason: cursor.waitReason,
              outboxSeq: seq,
            },
      meta: {
        tenantId: meta.tenantId,
        teamId: meta.teamId,
        userId: meta.userId,
        labels: { ...meta.labels, [TURN_LABEL]: nextTurnLabel(events, id, rememberEvents) },
      },
      outbox,
      updatedAt: current.updatedAt,
      ttlSecs: ttlSecs ?? current.ttlSecs,
    } as SessionInput;
    if (turn.data !== undefined) (next as { data?: unknown }).data = turn.data;
    return next;
  }

  return { tenantId, run };
}
