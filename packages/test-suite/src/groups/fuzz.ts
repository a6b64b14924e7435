import { randomUUID } from 'node:crypto';
import {
  isValidSession,
  mutate,
  type SessionStore,
  type TenantSessionStore,
} from '@greentic/session-core';
import {
  SESSION_PATTERNS,
  type Session,
  SessionError,
  type SessionErrorCode,
  type StoredSession,
} from '@greentic/session-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectStored } from '../assertions.js';
import { edit, sampleSession, uniqueKey, uniqueTenant } from '../fixtures.js';
import {
  FuzzTrapError,
  type Leaf,
  leaf,
  leafValue,
  materialise,
  type RefName,
  type RunRefs,
  registerLeaves,
  type SessionRecipe,
  sessionRecipe,
  weirdString,
} from '../fuzz/recipes.js';
import type { SuiteContext } from '../options.js';

/** Default runs of each property; `FUZZ_RUNS` overrides it (e.g. `FUZZ_RUNS=20000 pnpm test`). */
export const DEFAULT_FUZZ_RUNS = 200;

/** The fixed seed of every run unless `FUZZ_SEED` is set (a number, or `random`). */
export const DEFAULT_FUZZ_SEED = 20261127;

/**
 * Runs per property from `FUZZ_RUNS`, else {@link DEFAULT_FUZZ_RUNS}.
 *
 * @throws Error when `FUZZ_RUNS` is set but not a non-negative integer
 */
export function fuzzRunsFromEnv(): number {
  const raw = process.env.FUZZ_RUNS;
  if (raw === undefined || raw === '') return DEFAULT_FUZZ_RUNS;
  if (!/^\d{1,9}$/.test(raw))
    throw new Error(`FUZZ_RUNS must be a non-negative integer, got ${raw}`);
  return Number(raw);
}

function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED;
  if (raw === undefined || raw === '') return DEFAULT_FUZZ_SEED;
  if (raw === 'random') return Math.floor(Math.random() * 2 ** 31);
  if (!/^-?\d{1,10}$/.test(raw))
    throw new Error(`FUZZ_SEED must be an integer or random, got ${raw}`);
  return Number(raw);
}

/** What `fn` of a fuzzed `mutate` throws on purpose: passed through unchanged. */
class FnError extends Error {
  override readonly name = 'FnError';
}

type Via = 'store' | 'opts' | 'view' | 'hostileOpts';

type OptsRecipe =
  | { kind: 'none' }
  | { kind: 'tenant'; tenant: Leaf }
  | { kind: 'leaf'; value: Leaf }
  | { kind: 'flip'; first: Leaf; later: Leaf }
  | { kind: 'extra'; name: string }
  | { kind: 'nullProto' }
  | { kind: 'throw' };

const optsRecipe: fc.Arbitrary<OptsRecipe> = fc.oneof(
  fc.constant<OptsRecipe>({ kind: 'none' }),
  leaf.map((tenant): OptsRecipe => ({ kind: 'tenant', tenant })),
  leaf.map((value): OptsRecipe => ({ kind: 'leaf', value })),
  fc.tuple(leaf, leaf).map(([first, later]): OptsRecipe => ({ kind: 'flip', first, later })),
  weirdString.map((name): OptsRecipe => ({ kind: 'extra', name })),
  fc.constant<OptsRecipe>({ kind: 'nullProto' }),
  fc.constant<OptsRecipe>({ kind: 'throw' }),
);

const keyLeaf: fc.Arbitrary<Leaf> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<RefName>('victimKey', 'ownKey', 'freshKey').map((ref) => ({ ref })),
  },
  { weight: 1, arbitrary: leaf },
);

const expectedCas: fc.Arbitrary<'current' | Leaf> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('current' as const) },
  { weight: 1, arbitrary: leaf },
);

const writeCase = fc.record({
  entry: fc.constantFrom('put', 'updateCas', 'mutate'),
  via: fc.constantFrom<Via>('store', 'opts', 'view', 'hostileOpts'),
  session: sessionRecipe,
  expected: expectedCas,
  opts: optsRecipe,
  fnThrows: fc.boolean(),
  fnAsync: fc.boolean(),
});
type WriteCase = typeof writeCase extends fc.Arbitrary<infer T> ? T : never;

const readCase = fc.record({
  entry: fc.constantFrom('get', 'delete', 'touch'),
  via: fc.constantFrom<Via>('store', 'opts', 'view', 'hostileOpts'),
  key: keyLeaf,
  ttl: fc.oneof(fc.constant<Leaf>({ plain: undefined }), fc.constant<Leaf>({ plain: null }), leaf),
  opts: optsRecipe,
});
type ReadCase = typeof readCase extends fc.Arbitrary<infer T> ? T : never;

/** The state of one run: tenant A's stored victim (with a secret), tenant B's own session. */
interface Run {
  store: SessionStore;
  tenantA: string;
  tenantB: string;
  secret: string;
  victim: Session;
  own: Session;
  freshKey: string;
  refs: RunRefs;
  victimBefore: StoredSession;
}

async function setUp(store: SessionStore): Promise<Run> {
  const tenantA = uniqueTenant('a');
  const tenantB = uniqueTenant('b');
  const secret = `secret-${randomUUID()}`;
  // What an attacker may know and plant: A's key, tenant, id and shape, never the secret.
  const known = sampleSession({ tenantId: tenantA });
  const victim = edit(known, (s) => {
    s.meta.labels.secret = secret;
  });
  await store.put(victim);
  const own = sampleSession({ tenantId: tenantB });
  await store.put(own);
  const freshKey = uniqueKey('fresh');
  const keys = new Set([victim.key, own.key, freshKey]);
  const copy = <T>(v: T): T => structuredClone(v);
  const refs: RunRefs = {
    keys,
    ref(name) {
      switch (name) {
        case 'victimKey':
          return known.key;
        case 'ownKey':
          return own.key;
        case 'freshKey':
          return freshKey;
        case 'tenantA':
          return tenantA;
        case 'tenantB':
          return tenantB;
        case 'victimMeta':
          return copy(known.meta);
        case 'victimCursor':
          return copy(known.cursor);
        case 'victimOutbox':
          return copy(known.outbox);
        case 'victimLabels':
          return copy(known.meta.labels);
        case 'victimSession':
          return copy(known);
      }
    },
  };
  return {
    store,
    tenantA,
    tenantB,
    secret,
    victim,
    own,
    freshKey,
    refs,
    victimBefore: await expectStored(store, victim.key),
  };
}

/** Builds a recipe's session; boxed, because resolving a promise of a hostile value reads its `then`. */
async function buildSession(run: Run, recipe: SessionRecipe): Promise<{ value: unknown }> {
  const key = run.refs.ref(recipe.key) as string;
  const tenantId = run.refs.ref(recipe.tenant) as string;
  let base: Record<string, unknown>;
  const stored =
    recipe.base === 'stored' && recipe.key === 'ownKey' ? await run.store.get(key) : null;
  if (stored !== null) {
    // A spread of the stored snapshot: unchanged parts keep their identity.
    base = { ...stored.session };
  } else {
    const template =
      recipe.key === 'victimKey'
        ? (run.refs.ref('victimSession') as Session)
        : recipe.key === 'ownKey'
          ? structuredClone(run.own)
          : sampleSession({ key });
    base = { ...template, meta: { ...template.meta, tenantId } } as Record<string, unknown>;
  }
  return { value: materialise(base, recipe.mutations, run.refs) };
}

function buildOpts(run: Run, r: OptsRecipe): unknown {
  switch (r.kind) {
    case 'none':
      return undefined;
    case 'tenant':
      return { tenantId: leafValue(r.tenant, run.refs) };
    case 'leaf':
      return leafValue(r.value, run.refs);
    case 'flip': {
      const first = leafValue(r.first, run.refs);
      const later = leafValue(r.later, run.refs);
      let n = 0;
      return Object.defineProperty({}, 'tenantId', {
        enumerable: true,
        get: () => (++n === 1 ? first : later),
      });
    }
    case 'extra':
      return { tenantId: run.tenantB, [r.name]: 1 };
    case 'nullProto':
      return Object.assign(Object.create(null), { tenantId: run.tenantB });
    case 'throw':
      return Object.defineProperty({}, 'tenantId', {
        enumerable: true,
        get: () => {
          throw new FuzzTrapError('opts');
        },
      });
  }
}

/** Reads every key the run may have touched: the snapshot to compare after a throw. */
async function snapshot(
  run: Run,
  keys: Iterable<string> = run.refs.keys,
): Promise<Map<string, StoredSession | null>> {
  const out = new Map<string, StoredSession | null>();
  for (const key of [...keys]) {
    if (key.length <= 512 && SESSION_PATTERNS.sessionKey.test(key))
      out.set(key, await run.store.get(key));
  }
  return out;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function settle(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * `fn`: what mutate's function may throw through it: `'own'` its FnError;
 * `'promise'` anything its own promise rejected with (an async fn returning a
 * hostile value rejects when the engine reads that value's `then`).
 */
function expectAllowedError(
  error: unknown,
  codes: readonly SessionErrorCode[],
  fn: 'none' | 'own' | 'promise',
) {
  if (fn !== 'none' && error instanceof FnError) return;
  if (fn === 'promise' && !SessionError.isInstance(error)) return;
  if (!SessionError.isInstance(error)) {
    throw new Error(`expected a SessionError, got ${String(error)}`, { cause: error });
  }
  expect(codes, error.message).toContain(error.code);
  expect(typeof error.message).toBe('string');
}

function expectValidStored(value: unknown): void {
  if (value === null) return;
  const v = value as StoredSession;
  expect(Number.isSafeInteger(v.cas) && v.cas >= 1).toBe(true);
  expect(isValidSession(v.session)).toBe(true);
}

function expectValidResult(entry: string, value: unknown): void {
  switch (entry) {
    case 'put':
      expect(Number.isSafeInteger(value) && (value as number) >= 1).toBe(true);
      return;
    case 'updateCas': {
      const r = value as {
        ok: boolean;
        cas?: number;
        current?: number;
        reason?: string;
        session?: unknown;
      };
      if (r.ok) {
        expect(Number.isSafeInteger(r.cas) && (r.cas as number) >= 2).toBe(true);
        expect(isValidSession(r.session)).toBe(true);
      } else {
        expect(['missing', 'stale', 'replaced']).toContain(r.reason);
        expect(Number.isSafeInteger(r.current) && (r.current as number) >= 0).toBe(true);
        if (r.reason === 'missing') expect(r.current).toBe(0);
      }
      return;
    }
    case 'mutate':
      if (value !== null) {
        const r = value as { cas: number; attempts: number; session: unknown };
        expect(Number.isSafeInteger(r.cas) && r.cas >= 2).toBe(true);
        expect(r.attempts).toBeGreaterThanOrEqual(1);
        expect(isValidSession(r.session)).toBe(true);
      }
      return;
    case 'get':
      expectValidStored(value);
      return;
    default:
      expect(typeof value).toBe('boolean');
  }
}

/** JSON of anything a call returned or threw, for the secret check; never throws. */
function dump(value: unknown): string {
  try {
    if (value instanceof Error) return `${value.message}`;
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

async function runWrite(
  run: Run,
  c: WriteCase,
  view: TenantSessionStore,
  prebuilt?: { value: unknown },
): Promise<Outcome> {
  const store = run.store;
  const opts =
    c.via === 'opts'
      ? { tenantId: run.tenantB }
      : c.via === 'hostileOpts'
        ? buildOpts(run, c.opts)
        : undefined;
  if (c.entry === 'mutate') {
    const key = run.refs.ref(c.session.key) as string;
    const next = (current: unknown) => {
      if (c.fnThrows) throw new FnError('fn');
      return materialise(
        { ...(current as object) } as Record<string, unknown>,
        c.session.mutations,
        run.refs,
      ) as never;
    };
    // An async fn returns a promise the engine resolves: a hostile value's
    // `then` runs there, inside fn's own promise, before mutate sees it.
    const fn = c.fnAsync ? async (current: unknown) => next(current) : next;
    const target = c.via === 'view' ? view : store;
    return settle(() => mutate(target, key, fn, opts as never));
  }
  const input = (prebuilt ?? (await buildSession(run, c.session))).value;
  if (c.entry === 'put')
    return settle(() =>
      c.via === 'view' ? view.put(input as never) : store.put(input as never, opts as never),
    );
  const keyOfRecipe = run.refs.ref(c.session.key) as string;
  const expected =
    c.expected === 'current'
      ? ((await store.get(keyOfRecipe))?.cas ?? 1)
      : leafValue(c.expected, run.refs);
  return settle(() =>
    c.via === 'view'
      ? view.updateCas(input as never, expected as never)
      : store.updateCas(input as never, expected as never, opts as never),
  );
}

async function runRead(run: Run, c: ReadCase, view: TenantSessionStore): Promise<Outcome> {
  const key = leafValue(c.key, run.refs) as string;
  const opts =
    c.via === 'opts'
      ? { tenantId: run.tenantB }
      : c.via === 'hostileOpts'
        ? buildOpts(run, c.opts)
        : undefined;
  const ttl = leafValue(c.ttl, run.refs) as number;
  const s = run.store;
  switch (c.entry) {
    case 'get':
      return settle(() => (c.via === 'view' ? view.get(key) : s.get(key, opts as never)));
    case 'delete':
      return settle(() => (c.via === 'view' ? view.delete(key) : s.delete(key, opts as never)));
    default:
      return settle(() =>
        c.via === 'view' ? view.touch(key, ttl) : s.touch(key, ttl, opts as never),
      );
  }
}

const WRITE_CODES: readonly SessionErrorCode[] = ['invalid_input', 'tenant_mismatch'];
const MUTATE_CODES: readonly SessionErrorCode[] = ['invalid_input', 'tenant_mismatch', 'conflict'];
const READ_CODES: readonly SessionErrorCode[] = ['invalid_input'];

/**
 * Property-based tests (fast-check) over the public `SessionStore` API,
 * `forTenant` and `mutate`, with getters that change answers, Proxies with
 * throwing or lying traps, prototype keys, huge and deep values, lone
 * surrogates, NUL/CR/LF, braces and unicode in keys and tenant ids:
 *
 * - every call succeeds with a valid result or throws a `SessionError` with a
 *   documented code (or, for `mutate`, what its `fn` threw);
 * - a call that throws wrote nothing (every key it could reach reads the same);
 * - no sequence of calls by tenant B (through `forTenant(B)` and `opts`)
 *   changes, reveals or deletes tenant A's session;
 * - nothing crashes or hangs (each run has a time limit).
 *
 * Runs `ctx.fuzzRuns` runs per property (`FUZZ_RUNS`, default 200) with a
 * fixed seed (`FUZZ_SEED` to change it, `random` for a new one each time);
 * the counts are in the test titles.
 */
export function fuzzTests(ctx: SuiteContext): void {
  const runs = ctx.fuzzRuns;
  const seed = fuzzSeed();
  const params = { numRuns: runs, seed, timeout: 20_000 };
  const testTimeout = Math.max(60_000, runs * 500);

  describe(`fuzz (fast-check, seed ${seed})`, () => {
    it(
      `put, updateCas and mutate: valid result or documented error, nothing written on a throw, A untouched by B (${runs} runs)`,
      async () => {
        const store = await ctx.open();
        await fc.assert(
          fc.asyncProperty(writeCase, async (c) => {
            const run = await setUp(store);
            const view = store.forTenant(run.tenantB);
            // Build first so every key the input can name is in the snapshot.
            registerLeaves(c.session.mutations, run.refs);
            const input = c.entry === 'mutate' ? undefined : await buildSession(run, c.session);
            const before = await snapshot(run);
            const outcome = await runWrite(run, c, view, input);
            const fnMode = c.entry !== 'mutate' ? 'none' : c.fnAsync ? 'promise' : 'own';
            const fencedToB = c.via === 'view' || c.via === 'opts';
            if (outcome.ok) {
              expectValidResult(c.entry, outcome.value);
              for (const value of (await snapshot(run)).values()) expectValidStored(value);
            } else {
              expectAllowedError(
                outcome.error,
                c.entry === 'mutate' ? MUTATE_CODES : WRITE_CODES,
                fnMode,
              );
              expect(await snapshot(run, before.keys())).toStrictEqual(before);
            }
            if (fencedToB) {
              expect(await store.get(run.victim.key)).toStrictEqual(run.victimBefore);
              expect(dump(outcome.ok ? outcome.value : outcome.error)).not.toContain(run.secret);
            }
          }),
          params,
        );
      },
      testTimeout,
    );

    it(
      `get, delete and touch with hostile keys, ttls and options: valid result or invalid_input, nothing changed on a throw (${runs} runs)`,
      async () => {
        const store = await ctx.open();
        await fc.assert(
          fc.asyncProperty(readCase, async (c) => {
            const run = await setUp(store);
            const view = store.forTenant(run.tenantB);
            leafValue(c.key, run.refs);
            const before = await snapshot(run);
            const outcome = await runRead(run, c, view);
            if (outcome.ok) expectValidResult(c.entry, outcome.value);
            else {
              expectAllowedError(outcome.error, READ_CODES, 'none');
              expect(await snapshot(run, before.keys())).toStrictEqual(before);
            }
            if (c.via === 'view' || c.via === 'opts') {
              expect(await store.get(run.victim.key)).toStrictEqual(run.victimBefore);
              expect(dump(outcome.ok ? outcome.value : outcome.error)).not.toContain(run.secret);
            }
          }),
          params,
        );
      },
      testTimeout,
    );

    it(
      `no sequence of calls by tenant B changes, reveals or deletes tenant A's session (${runs} runs)`,
      async () => {
        const store = await ctx.open();
        const step = fc.oneof(
          writeCase.map((w) => ({
            write: { ...w, via: w.via === 'view' ? ('view' as const) : ('opts' as const) },
          })),
          readCase.map((r) => ({
            read: { ...r, via: r.via === 'view' ? ('view' as const) : ('opts' as const) },
          })),
        );
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
            const run = await setUp(store);
            const view = store.forTenant(run.tenantB);
            for (const s of steps) {
              const outcome =
                'write' in s
                  ? await runWrite(run, s.write, view)
                  : await runRead(run, s.read, view);
              const text = dump(outcome.ok ? outcome.value : outcome.error);
              expect(text).not.toContain(run.secret);
              if ('write' in s) {
                if (outcome.ok) expectValidResult(s.write.entry, outcome.value);
                else
                  expectAllowedError(
                    outcome.error,
                    s.write.entry === 'mutate' ? MUTATE_CODES : WRITE_CODES,
                    s.write.entry !== 'mutate' ? 'none' : s.write.fnAsync ? 'promise' : 'own',
                  );
              } else if (outcome.ok) {
                expectValidResult(s.read.entry, outcome.value);
                const got = outcome.value as StoredSession | null;
                if (s.read.entry === 'get' && got !== null)
                  expect(got.session.meta.tenantId).toBe(run.tenantB);
              } else expectAllowedError(outcome.error, READ_CODES, 'none');
            }
            expect(await store.get(run.victim.key)).toStrictEqual(run.victimBefore);
            expect(await view.get(run.victim.key)).toBeNull();
          }),
          params,
        );
      },
      testTimeout,
    );
  });
}
