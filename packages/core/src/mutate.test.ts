import type { Cas, SessionSnapshot, StoredSession } from '@greentic/session-types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mutate } from './mutate.js';
import { createSession } from './session-helpers.js';
import type { SessionInput, SessionStore, UpdateCasResult } from './session-store.js';
import { createTenantView } from './tenant-view.js';
import { parseSession } from './validate.js';

/**
 * A scripted single-key store: `conflicts` updateCas calls fail as stale
 * before writes go through. Enough to drive mutate's loop; the real
 * backends run mutate in the conformance suite.
 */
function scriptedStore(initial: SessionSnapshot | null, conflicts = 0) {
  let stored: StoredSession | null = initial && { session: initial, cas: 1 };
  let remaining = conflicts;
  const calls: string[] = [];
  const store: SessionStore = {
    async get(key, opts) {
      calls.push(`get ${key} ${opts?.tenantId ?? '-'}`);
      if (opts?.tenantId !== undefined && stored?.session.meta.tenantId !== opts.tenantId)
        return null;
      return stored;
    },
    async put(_session, opts) {
      calls.push(`put ${opts?.tenantId ?? '-'}`);
      return 1;
    },
    async updateCas(
      session: SessionInput,
      expected: Cas,
      opts?: { tenantId?: string | undefined },
    ): Promise<UpdateCasResult> {
      calls.push(`updateCas ${expected}${opts?.tenantId === undefined ? '' : ` ${opts.tenantId}`}`);
      if (stored === null) return { ok: false, current: 0, reason: 'missing' };
      if (remaining > 0) {
        remaining--;
        stored = { session: stored.session, cas: stored.cas + 1 };
        return { ok: false, current: stored.cas, reason: 'stale' };
      }
      stored = { session: parseSession(session), cas: expected + 1 };
      return { ok: true, cas: stored.cas, session: stored.session };
    },
    async delete() {
      return false;
    },
    async touch() {
      return false;
    },
    forTenant(tenantId) {
      return createTenantView(store, tenantId);
    },
    async close() {},
  };
  return { store, calls };
}

const session = createSession({ key: 'k', tenantId: 'acme', flowId: 'f', nodeId: 'n', ttlSecs: 0 });
const bump = (s: SessionSnapshot) => ({
  ...s,
  cursor: { ...s.cursor, outboxSeq: s.cursor.outboxSeq + 1 },
});

describe('mutate', () => {
  it('retries stale conflicts with jittered, capped backoff and applies fn to the fresh read', async () => {
    const { store, calls } = scriptedStore(session, 3);
    const seen: Cas[] = [];
    const result = await mutate(
      store,
      'k',
      (s, cas) => {
        seen.push(cas);
        return bump(s);
      },
      { random: () => 0, baseDelayMs: 1 },
    );
    expect(result?.attempts).toBe(4);
    expect(result?.cas).toBe(5);
    expect(seen).toStrictEqual([1, 2, 3, 4]);
    expect(result?.session.cursor.outboxSeq).toBe(1);
    expect(calls.filter((c) => c.startsWith('updateCas'))).toStrictEqual([
      'updateCas 1',
      'updateCas 2',
      'updateCas 3',
      'updateCas 4',
    ]);
  });

  it('throws conflict after maxAttempts, naming the key', async () => {
    const { store } = scriptedStore(session, 10);
    await expect(
      mutate(store, 'k', bump, { maxAttempts: 2, random: () => 0 }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: '[@greentic/session-core] mutate: gave up on key "k" after 2 conflicting attempts',
    });
  });

  it('rejects a mutation that changes the key or the id, before writing', async () => {
    const { store, calls } = scriptedStore(session);
    await expect(mutate(store, 'k', (s) => ({ ...s, key: 'other' }))).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(
      mutate(store, 'k', (s) => ({ ...s, id: '00000000-0000-4000-8000-000000000000' })),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(calls.some((c) => c.startsWith('updateCas'))).toBe(false);
  });

  it('passes errors thrown by fn through unchanged', async () => {
    const { store } = scriptedStore(session);
    const boom = new Error('flow failed');
    await expect(
      mutate(store, 'k', () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });

  it('fences reads with tenantId, and on a tenant view checks it matches', async () => {
    const { store, calls } = scriptedStore(session);
    expect(await mutate(store, 'k', bump, { tenantId: 'other' })).toBeNull();
    expect(calls[0]).toBe('get k other');
    const view = store.forTenant('acme');
    expect((await mutate(view, 'k', bump, { tenantId: 'acme' }))?.cas).toBe(2);
    await expect(mutate(view, 'k', bump, { tenantId: 'other' })).rejects.toMatchObject({
      code: 'tenant_mismatch',
    });
  });

  it('validates its arguments', async () => {
    const { store } = scriptedStore(session);
    const bad: [unknown[], string][] = [
      [['', bump], 'key'],
      [['k', 'not a function'], 'fn must be a function'],
      [['k', bump, null], 'opts must be an object'],
      [['k', bump, { retries: 3 }], 'opts.retries is not a known option'],
      [['k', bump, { maxAttempts: 0 }], 'opts.maxAttempts must be 1..'],
      [['k', bump, { baseDelayMs: -1 }], 'opts.baseDelayMs'],
      [['k', bump, { baseDelayMs: 60_001 }], 'opts.baseDelayMs must be 0..60000'],
      [['k', bump, { maxDelayMs: 1e9 }], 'opts.maxDelayMs must be 0..60000'],
      [['k', bump, new Date()], 'opts must be a plain object, got Date'],
      [['k', bump, []], 'opts must be an object'],
      [['k', bump, { tenantId: 'a:b' }], 'opts.tenantId'],
      [['k', bump, { random: 3 }], 'opts.random must be a function'],
    ];
    for (const [args, text] of bad) {
      await expect(
        (mutate as (...a: unknown[]) => Promise<unknown>)(store, ...args),
        text,
      ).rejects.toThrow(text);
    }
  });
});

describe('mutate and opts.random', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['1e3', 1e3],
    ['1', 1],
    ['-0.5', -0.5],
    ['NaN', Number.NaN],
    ['a string', '0.5'],
  ])(
    'rejects random() returning %s with invalid_input instead of sleeping (fake timers)',
    async (_label, value) => {
      vi.useFakeTimers();
      const start = Date.now();
      const { store } = scriptedStore(session, 1);
      const settled = mutate(store, 'k', bump, {
        random: () => value as number,
        baseDelayMs: 1000,
        maxDelayMs: 60_000,
      }).then(
        () => 'resolved',
        (err: unknown) => err,
      );
      await vi.runAllTimersAsync();
      const err = await settled;
      expect(err).toMatchObject({ code: 'invalid_input' });
      expect((err as Error).message).toContain('opts.random must return a number in [0, 1)');
      // No backoff was scheduled: the fake clock never moved.
      expect(Date.now()).toBe(start);
    },
  );

  it('sleeps at most maxDelayMs with a valid random() (fake timers)', async () => {
    vi.useFakeTimers();
    const start = Date.now();
    const { store } = scriptedStore(session, 1);
    const settled = mutate(store, 'k', bump, {
      random: () => 0.999,
      baseDelayMs: 60_000,
      maxDelayMs: 1000,
    });
    await vi.runAllTimersAsync();
    expect((await settled)?.attempts).toBe(2);
    expect(Date.now() - start).toBe(999);
  });
});

describe('mutate reads what fn returns once', () => {
  it('a key getter that answers the right key once and another later cannot redirect the write', async () => {
    const { store, calls } = scriptedStore(session);
    let reads = 0;
    const result = await mutate(store, 'k', (current) => {
      const next = { ...current };
      Object.defineProperty(next, 'key', {
        enumerable: true,
        get: () => (++reads === 1 ? 'k' : 'someone-elses-key'),
      });
      return next;
    });
    expect(reads).toBe(1);
    expect(result?.session.key).toBe('k');
    expect(calls).toStrictEqual(['get k -', 'updateCas 1']);
  });

  it('turns a throwing getter in what fn returns into invalid_input with the cause', async () => {
    const { store } = scriptedStore(session);
    const boom = new Error('boom');
    const err = await mutate(store, 'k', (current) => {
      const next = { ...current };
      Object.defineProperty(next, 'meta', {
        enumerable: true,
        get: () => {
          throw boom;
        },
      });
      return next;
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_input' });
    expect((err as Error).cause).toBe(boom);
  });
});

describe('mutate and a hostile value returned by fn (found by the fuzz suite)', () => {
  const boom = new Error('boom');
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  it.each([
    ['a revoked Proxy', revoked],
    [
      'a Proxy whose get trap throws',
      new Proxy(
        {},
        {
          get: () => {
            throw boom;
          },
        },
      ),
    ],
    [
      'an object whose then getter throws',
      Object.defineProperty({}, 'then', {
        get: () => {
          throw boom;
        },
      }),
    ],
  ])(
    'a sync fn returning %s gives invalid_input, not a raw error from await',
    async (_l, value) => {
      const { store, calls } = scriptedStore(session);
      const err = await mutate(store, 'k', () => value as never).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'invalid_input' });
      expect(calls).toStrictEqual(['get k -']);
    },
  );

  it('an async fn rejecting, and a thenable, are awaited as before', async () => {
    const { store } = scriptedStore(session);
    await expect(
      mutate(store, 'k', async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a custom thenable is what is under test
      then: (resolve: (v: unknown) => void) => resolve(bump(session)),
    };
    expect((await mutate(store, 'k', () => thenable as never))?.cas).toBe(2);
  });
});

describe('createTenantView', () => {
  it('forwards every call with its tenant and never reads the session it is given', async () => {
    const { store, calls } = scriptedStore(session);
    const view = createTenantView(store, 'other');
    expect(view.tenantId).toBe('other');
    expect(await view.get('k')).toBeNull();
    // Any read of the session by the view itself would throw here.
    const untouchable = new Proxy(
      {},
      {
        get: () => {
          throw new Error('the view read the session');
        },
        getPrototypeOf: () => {
          throw new Error('the view read the session');
        },
        ownKeys: () => {
          throw new Error('the view read the session');
        },
      },
    );
    expect(await view.put(untouchable as never)).toBe(1);
    // The scripted store itself then reads (and rejects) it: that is the store's job.
    await view.updateCas(untouchable as never, 1).catch(() => undefined);
    expect(calls).toStrictEqual(['get k other', 'put other', 'updateCas 1 other']);
    expect(Object.isFrozen(view)).toBe(true);
  });

  it('rejects an invalid tenant id', () => {
    const { store } = scriptedStore(session);
    expect(() => createTenantView(store, '')).toThrow(
      '[@greentic/session-core] forTenant: tenantId',
    );
  });
});
