import type { Cas, SessionKey, SessionSnapshot } from '@greentic/session-types';
import { describeValue, invalidInput, type OpContext, sessionError } from './context.js';
import type { SessionInput, SessionStore, TenantSessionStore } from './session-store.js';
import { validateCount, validateSessionKey, validateTenantOptions } from './validate.js';

/** Options of {@link mutate}. */
export interface MutateOptions {
  /** Fence every read and write to this tenant. */
  tenantId?: string;
  /** Most get → updateCas attempts before giving up. @default 16 */
  maxAttempts?: number;
  /** First backoff cap in ms; doubles per attempt (full jitter). @default 5 */
  baseDelayMs?: number;
  /** Largest backoff cap in ms. @default 200 */
  maxDelayMs?: number;
  /** Source of randomness in [0, 1) for the jitter. @default Math.random */
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function option(value: unknown, fallback: number, field: string, min: number): number {
  if (value === undefined) return fallback;
  const n = validateCount(value, CTX, `opts.${field}`);
  if (n < min) throw invalidInput(CTX, `opts.${field} must be at least ${min}, got ${n}`);
  return n;
}

/**
 * Read-modify-write without lost updates: get → `fn(session, cas)` →
 * `updateCas`, retrying conflicts with jittered exponential backoff.
 * `fn` may run more than once and must not have side effects of its own.
 *
 * @param store - any store, or a tenant view
 * @param key - session key
 * @param fn - returns the next session (same key and id) from the current one
 * @param opts - tenant fence and retry bounds
 * @returns what was written, or null when there is no live session under `key`
 * @throws SessionError `conflict` after `maxAttempts` conflicts (nothing of this call was written);
 *   `invalid_input` for bad arguments or when `fn` changes the key; whatever `fn` throws, unchanged
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
  if (typeof opts !== 'object' || opts === null) throw invalidInput(CTX, 'opts must be an object');
  const {
    tenantId: _t,
    maxAttempts: _m,
    baseDelayMs: _b,
    maxDelayMs: _x,
    random: _r,
    ...unknown
  } = opts;
  const extra = Object.keys(unknown)[0];
  if (extra !== undefined) throw invalidInput(CTX, `opts.${extra} is not a known option`);
  const tenantId = validateTenantOptions(
    opts.tenantId === undefined ? undefined : { tenantId: opts.tenantId },
    CTX,
  );
  const maxAttempts = option(opts.maxAttempts, 16, 'maxAttempts', 1);
  const baseDelayMs = option(opts.baseDelayMs, 5, 'baseDelayMs', 0);
  const maxDelayMs = option(opts.maxDelayMs, 200, 'maxDelayMs', 0);
  const random = opts.random ?? Math.random;
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

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = await target.get(key);
    if (current === null) return null;
    const next = await fn(current.session, current.cas);
    if (
      typeof next !== 'object' ||
      next === null ||
      next.key !== key ||
      next.id !== current.session.id
    ) {
      throw invalidInput(
        CTX,
        `fn must return the session with key ${JSON.stringify(key)} and its id unchanged`,
      );
    }
    const result = await target.updateCas(next, current.cas);
    if (result.ok) return { session: result.session, cas: result.cas, attempts: attempt };
    if (attempt < maxAttempts) {
      const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.floor(random() * cap));
    }
  }
  throw sessionError(
    'conflict',
    CTX,
    `gave up on key ${JSON.stringify(key)} after ${maxAttempts} conflicting attempts`,
  );
}
