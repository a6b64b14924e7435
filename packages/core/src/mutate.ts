import type { Cas, SessionKey, SessionSnapshot } from '@greentic/session-types';
import { describeValue, invalidInput, type OpContext, readInput, sessionError } from './context.js';
import type { SessionInput, SessionStore, TenantSessionStore } from './session-store.js';
import { type MutateObservation, observerOf, StoreObserver } from './store-observer.js';
import {
  parseSessionFrom,
  readOptions,
  validateCount,
  validateSessionKey,
  validateTenantId,
} from './validate.js';

/** Options of {@link mutate}. */
export interface MutateOptions {
  /** Fence every read and write to this tenant. */
  tenantId?: string;
  /** Most get → updateCas attempts before giving up. @default 16 */
  maxAttempts?: number;
  /** First backoff cap in ms (0..60000); doubles per attempt (full jitter). @default 5 */
  baseDelayMs?: number;
  /** Largest backoff cap in ms (0..60000). @default 200 */
  maxDelayMs?: number;
  /**
   * Source of randomness for the jitter; must return a number in [0, 1)
   * (anything else throws `invalid_input`). @default Math.random
   */
  random?: () => number;
}

/** What {@link mutate} wrote. */
export interface MutateResult {
  /** The session as stored. */
  readonly session: SessionSnapshot;
  /** Its new cas. */
  readonly cas: Cas;
  /** How many get → updateCas attempts it took (1 = no conflict). */
  readonly attempts: number;
}

/** The change {@link mutate} applies: current snapshot in, next session out. */
export type SessionMutation = (
  current: SessionSnapshot,
  cas: Cas,
) => SessionInput | Promise<SessionInput>;

const CTX: OpContext = { pkg: '@greentic/session-core', op: 'mutate' };

/** Largest backoff a caller may configure: a minute between two attempts. */
const MAX_DELAY_MS = 60_000;

const MUTATE_OPTIONS = ['tenantId', 'maxAttempts', 'baseDelayMs', 'maxDelayMs', 'random'] as const;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function option(value: unknown, fallback: number, field: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = validateCount(value, CTX, `opts.${field}`);
  if (n < min || n > max) throw invalidInput(CTX, `opts.${field} must be ${min}..${max}, got ${n}`);
  return n;
}

/** The jitter factor: `random()` must give a number in [0, 1), as `Math.random` does. */
function jitter(random: () => unknown): number {
  const r = random();
  if (typeof r !== 'number' || !(r >= 0 && r < 1)) {
    throw invalidInput(CTX, `opts.random must return a number in [0, 1), got ${describeValue(r)}`);
  }
  return r;
}

/**
 * Waits for what `fn` returned without letting a hostile value throw from the
 * engine: `await value` would read `value.then` (a getter, a Proxy trap, a
 * revoked Proxy) and reject with a raw error. A native promise (an `async fn`)
 * is awaited, and its rejection is `fn`'s own error; anything else has its
 * `then` read once, guarded, and only a function there makes it a thenable.
 */
async function settleResult(value: unknown): Promise<unknown> {
  const seen = readInput(CTX, 'the value fn returned', () => {
    if (value instanceof Promise) return { promise: value as Promise<unknown> };
    const then =
      (typeof value === 'object' && value !== null) || typeof value === 'function'
        ? (value as { then?: unknown }).then
        : undefined;
    return { then };
  });
  if ('promise' in seen) return seen.promise;
  const then = seen.then;
  if (typeof then !== 'function') return value;
  return new Promise((resolve, reject) => {
    (then as (ok: (v: unknown) => void, ko: (e: unknown) => void) => void).call(
      value,
      resolve,
      reject,
    );
  });
}

/**
 * Read-modify-write without lost updates: get → `fn(session, cas)` →
 * `updateCas`, retrying conflicts with jittered exponential backoff.
 * `fn` may run more than once and must not have side effects of its own.
 *
 * What `fn` returns is read once: validated into a copy (unchanged parts of
 * the current snapshot reused as they are), checked to keep the key and id,
 * and that copy is what `updateCas` writes, fenced when `opts.tenantId` is
 * set or `store` is a tenant view.
 *
 * @param store - any store, or a tenant view
 * @param key - session key
 * @param fn - returns the next session (same key and id) from the current one
 * @param opts - a plain object: tenant fence and retry bounds
 * @returns what was written, or null when there is no live session under `key`
 * @throws SessionError `conflict` after `maxAttempts` conflicts (nothing of this call was written);
 *   `invalid_input` for bad arguments, when `fn` returns an invalid session or
 *   changes the key or id, or when `opts.random` returns anything but a number
 *   in [0, 1) (validated, not clamped: a broken source of randomness is a bug
 *   to surface, and it can never make `mutate` sleep longer than `maxDelayMs`);
 *   `tenant_mismatch` from the fenced write; whatever `fn` or `opts.random`
 *   throw, unchanged
 */
export async function mutate(
  store: SessionStore | TenantSessionStore,
  key: SessionKey,
  fn: SessionMutation,
  opts: MutateOptions = {},
): Promise<MutateResult | null> {
  validateSessionKey(key, CTX);
  if (typeof fn !== 'function')
    throw invalidInput(CTX, `fn must be a function, got ${describeValue(fn)}`);
  const o = readOptions(opts, MUTATE_OPTIONS, CTX);
  const tenantId =
    o.tenantId === undefined ? undefined : validateTenantId(o.tenantId, CTX, 'opts.tenantId');
  const maxAttempts = option(o.maxAttempts, 16, 'maxAttempts', 1, Number.MAX_SAFE_INTEGER);
  const baseDelayMs = option(o.baseDelayMs, 5, 'baseDelayMs', 0, MAX_DELAY_MS);
  const maxDelayMs = option(o.maxDelayMs, 200, 'maxDelayMs', 0, MAX_DELAY_MS);
  const random = o.random ?? Math.random;
  if (typeof random !== 'function') throw invalidInput(CTX, 'opts.random must be a function');

  let target: SessionStore | TenantSessionStore = store;
  if (tenantId !== undefined) {
    if ('forTenant' in store) target = store.forTenant(tenantId);
    else if (store.tenantId !== tenantId) {
      throw sessionError(
        'tenant_mismatch',
        CTX,
        `opts.tenantId ${JSON.stringify(tenantId)} differs from the view's tenant`,
      );
    }
  }

  const observation = observe(store, key, tenantId);
  let attempt = 0;
  // One get → fn → updateCas; CONFLICT when updateCas wrote nothing.
  const once = async (): Promise<MutateResult | null | typeof CONFLICT> => {
    const current = await target.get(key);
    if (current === null) return null;
    const returned = await settleResult(fn(current.session, current.cas));
    const next = parseSessionFrom(returned, CTX, current.session);
    if (next.key !== key || next.id !== current.session.id) {
      throw invalidInput(
        CTX,
        `fn must return the session with key ${JSON.stringify(key)} and its id unchanged`,
      );
    }
    const result = await target.updateCas(next, current.cas);
    if (result.ok) return { session: result.session, cas: result.cas, attempts: attempt };
    return CONFLICT;
  };
  try {
    for (attempt = 1; attempt <= maxAttempts; attempt++) {
      const step =
        observation === undefined ? await once() : await observation.attempt(attempt, once);
      if (step !== CONFLICT) {
        observation?.end(attempt, step === null ? 'missing' : 'ok');
        return step;
      }
      if (attempt < maxAttempts) {
        const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        const delayMs = Math.floor(jitter(random as () => unknown) * cap);
        observation?.retry(attempt + 1, delayMs);
        await sleep(delayMs);
      }
    }
    throw sessionError(
      'conflict',
      CTX,
      `gave up on key ${JSON.stringify(key)} after ${maxAttempts} conflicting attempts`,
    );
  } catch (err) {
    observation?.end(Math.min(attempt, maxAttempts), 'error', err);
    throw err;
  }
}

const CONFLICT = Symbol('conflict');

let fallback: StoreObserver | undefined;

/**
 * The observation of one call: the store's observer, or for a store without
 * one (a third-party backend) a shared one reporting to the global
 * OpenTelemetry providers as `db.system.name` `other`.
 */
function observe(
  store: SessionStore | TenantSessionStore,
  key: SessionKey,
  tenantId: string | undefined,
): MutateObservation | undefined {
  let observer = observerOf(store);
  if (observer === undefined) {
    fallback ??= new StoreObserver({
      pkg: CTX.pkg,
      system: 'other',
      telemetry: undefined,
      ctx: CTX,
    });
    observer = fallback;
  }
  const tenant = tenantId ?? ('forTenant' in store ? undefined : store.tenantId);
  return observer.mutate(key, tenant);
}
