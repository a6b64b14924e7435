import { createSession } from '@greentic/session-core';
import { InMemorySessionStore } from '@greentic/session-memory';
import { SessionError } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { createTurnMiddleware } from './middleware.js';
import { dataStorage, readStorageOptions, tenantViewOf } from './store-options.js';
import { createTurnRunner } from './turn-runner.js';

const C = { pkg: 'test', op: 'test' };

async function codeOf(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (err) {
    if (err instanceof SessionError) return err.code;
    return `not a SessionError: ${String(err)}`;
  }
  return 'no error';
}

/** An options object whose `name` getter counts its reads and answers `values` in turn. */
function shifty(base: Record<string, unknown>, name: string, values: unknown[]) {
  let reads = 0;
  const options = { ...base };
  Object.defineProperty(options, name, {
    enumerable: true,
    get: () => values[Math.min(reads++, values.length - 1)],
  });
  return { options, reads: () => reads };
}

/** Stores a session of `tenant` under `key`. */
function seed(store: InMemorySessionStore, key: string, tenant: string) {
  return store.put(
    createSession({ key, tenantId: tenant, flowId: 'f', nodeId: 'n', ttlSecs: 0, data: { v: 1 } }),
  );
}

describe('tenantViewOf', () => {
  const store = new InMemorySessionStore();

  it('narrows a store to tenantId, and takes a view as it is', () => {
    const narrowed = tenantViewOf(store, 'acme', C);
    expect([narrowed.tenantId, narrowed.view.tenantId]).toEqual(['acme', 'acme']);
    const view = store.forTenant('acme');
    expect(tenantViewOf(view, undefined, C)).toEqual({ view, tenantId: 'acme' });
    expect(tenantViewOf(view, 'acme', C).view).toBe(view);
  });

  it('refuses a view with another tenantId, a store without one, and what is no store', async () => {
    expect(await codeOf(() => tenantViewOf(store.forTenant('acme'), 'globex', C))).toBe(
      'tenant_mismatch',
    );
    expect(await codeOf(() => tenantViewOf(store, undefined, C))).toBe('invalid_input');
    expect(await codeOf(() => tenantViewOf(store, 'a b', C))).toBe('invalid_input');
    for (const bad of [null, 3, 'store', {}, { get() {} }, [store]]) {
      expect(await codeOf(() => tenantViewOf(bad, 'acme', C))).toBe('invalid_input');
    }
  });

  it('turns a store whose Proxy traps throw into invalid_input', async () => {
    const hostile = new Proxy(store, {
      get() {
        throw new Error('trap');
      },
    });
    expect(await codeOf(() => tenantViewOf(hostile, 'acme', C))).toBe('invalid_input');
    const forTenantThrows = new Proxy(store, {
      get(target, p) {
        if (p === 'forTenant') {
          return () => {
            throw new Error('trap');
          };
        }
        return Reflect.get(target, p);
      },
    });
    expect(await codeOf(() => tenantViewOf(forTenantThrows, 'acme', C))).toBe('invalid_input');
  });

  it("reads a view's tenantId once, inside the guard, and checks what forTenant returns", async () => {
    const view = store.forTenant('acme');
    let reads = 0;
    const shiftyView = new Proxy(view, {
      get(target, p) {
        if (p === 'tenantId') return reads++ === 0 ? 'acme' : 'globex';
        return Reflect.get(target, p);
      },
    });
    const runner = createTurnRunner({ store: shiftyView, tenantId: 'acme' });
    expect(reads).toBe(1);
    expect(runner.tenantId).toBe('acme');
    const throwingTenant = new Proxy(view, {
      get(target, p) {
        if (p === 'tenantId') throw new Error('trap');
        return Reflect.get(target, p);
      },
    });
    expect(await codeOf(() => tenantViewOf(throwingTenant, 'acme', C))).toBe('invalid_input');
    for (const forTenant of [() => null, () => store.forTenant('globex'), () => store]) {
      const odd = new Proxy(store, {
        get: (target, p) => (p === 'forTenant' ? forTenant : Reflect.get(target, p)),
      });
      expect(await codeOf(() => tenantViewOf(odd, 'acme', C))).toBe('invalid_input');
    }
  });
});

describe('readStorageOptions', () => {
  it('reads each option once: a tenantId getter cannot validate one tenant and open another', async () => {
    const store = new InMemorySessionStore();
    await seed(store, 'k', 'globex');
    const { options, reads } = shifty({ store }, 'tenantId', ['acme', 'globex']);
    const resolved = readStorageOptions(options, C, 'p:');
    expect(reads()).toBe(1);
    expect(resolved.view.tenantId).toBe('acme');
    expect(await resolved.view.get('k')).toBeNull();
  });

  it('gives defaults, a view, and the adapter’s own options', () => {
    const store = new InMemorySessionStore();
    const r = readStorageOptions({ store, tenantId: 'acme', mine: 'x' }, C, 'p:', ['mine']);
    expect([r.prefix, r.ttlSecs, r.view.tenantId, r.extra.mine]).toEqual(['p:', 0, 'acme', 'x']);
    const v = readStorageOptions({ store: store.forTenant('b'), ttlSecs: 5, prefix: '' }, C, 'p:');
    expect([v.prefix, v.ttlSecs, v.view.tenantId]).toEqual(['', 5, 'b']);
  });

  it('refuses bad options with a SessionError naming the fault, not a crash', async () => {
    const store = new InMemorySessionStore();
    const throwing = { store, tenantId: 'acme' };
    Object.defineProperty(throwing, 'prefix', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    class Options {
      store = store;
      tenantId = 'acme';
    }
    const cases: [unknown, string][] = [
      [null, 'invalid_input'],
      [[], 'invalid_input'],
      [new Options(), 'invalid_input'],
      [throwing, 'invalid_input'],
      [{ store, tenantId: 'acme', other: 1 }, 'invalid_input'],
      [{ store, tenantId: 'acme', prefix: 3 }, 'invalid_input'],
      [{ store, tenantId: 'acme', ttlSecs: -1 }, 'invalid_input'],
      [{ store }, 'invalid_input'],
      [{ store: store.forTenant('acme'), tenantId: 'globex' }, 'tenant_mismatch'],
      [
        new Proxy(
          { store, tenantId: 'acme' },
          {
            ownKeys() {
              throw new Error('trap');
            },
          },
        ),
        'invalid_input',
      ],
    ];
    for (const [options, code] of cases) {
      expect(await codeOf(() => readStorageOptions(options, C, 'p:'))).toBe(code);
    }
  });
});

describe('dataStorage', () => {
  it('reads a mutable copy, writes whole values, keeps the rest of the session, deletes', async () => {
    const store = new InMemorySessionStore();
    const s = dataStorage<{ n: number }>(
      readStorageOptions({ store, tenantId: 'acme', ttlSecs: 60 }, C, 'p:'),
      'flow',
      'test',
    );
    expect(await s.read('k')).toBeUndefined();
    await s.write('k', { n: 1 });
    const first = await s.read('k');
    expect(first).toEqual({ n: 1 });
    (first as { n: number }).n = 2; // a framework mutates what it reads
    expect(await s.read('k')).toEqual({ n: 1 });
    const stored = await store.get('p:k', { tenantId: 'acme' });
    expect([stored?.session.cursor.flowId, stored?.session.ttlSecs]).toEqual(['flow', 60]);
    await s.write('k', undefined);
    expect((await store.get('p:k'))?.session.data).toBeUndefined();
    await s.delete('k');
    expect(await store.get('p:k')).toBeNull();
  });

  it('refuses a key that is not a string before it can run code', async () => {
    const store = new InMemorySessionStore();
    const s = dataStorage(readStorageOptions({ store, tenantId: 'acme' }, C, 'p:'), 'f', 'test');
    let calls = 0;
    const sly = {
      toString() {
        calls++;
        return 'k';
      },
    };
    for (const key of [sly, Symbol('k'), 1, undefined]) {
      expect(await codeOf(() => s.read(key as never))).toBe('invalid_input');
      expect(await codeOf(() => s.write(key as never, { n: 1 }))).toBe('invalid_input');
      expect(await codeOf(() => s.delete(key as never))).toBe('invalid_input');
      expect(await codeOf(() => s.has(key as never))).toBe('invalid_input');
    }
    expect(calls).toBe(0);
    expect(await store.get('p:k')).toBeNull();
  });

  it('cannot write over another tenant’s session under the same key', async () => {
    const store = new InMemorySessionStore();
    await seed(store, 'p:k', 'globex');
    const s = dataStorage(readStorageOptions({ store, tenantId: 'acme' }, C, 'p:'), 'f', 'test');
    expect(await s.read('k')).toBeUndefined();
    expect(await codeOf(() => s.write('k', { n: 1 }))).toBe('tenant_mismatch');
    await s.delete('k');
    expect((await store.get('p:k'))?.session.data).toEqual({ v: 1 });
  });
});

describe('hostile options of the runner and the middleware', () => {
  it('createTurnRunner reads each option once and turns a throwing getter into invalid_input', async () => {
    const store = new InMemorySessionStore();
    const { options, reads } = shifty({ store }, 'tenantId', ['acme', 'globex']);
    const runner = createTurnRunner(options as never);
    expect(reads()).toBe(1);
    await runner.run('k', 1, () => {});
    expect(await store.get('k', { tenantId: 'acme' })).not.toBeNull();
    const throwing = { store };
    Object.defineProperty(throwing, 'tenantId', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    expect(await codeOf(() => createTurnRunner(throwing as never))).toBe('invalid_input');
  });

  it('run reads its opts once and refuses a throwing getter before touching the store', async () => {
    const store = new InMemorySessionStore();
    const runner = createTurnRunner({ store, tenantId: 'acme' });
    const throwing = {};
    Object.defineProperty(throwing, 'userId', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    expect(await codeOf(() => runner.run('k', 1, () => {}, throwing))).toBe('invalid_input');
    expect(await store.get('k')).toBeNull();
    const { options, reads } = shifty({}, 'userId', ['u1', 'u2']);
    await runner.run('k', 2, () => {}, options);
    expect(reads()).toBe(1);
    expect((await store.get('k'))?.session.meta.userId).toBe('u1');
  });

  it('createTurnMiddleware reads options once, refuses an unknown one, and names the adapter', async () => {
    const store = new InMemorySessionStore();
    const adapter = {
      pkg: '@greentic/session-x',
      flowId: 'x',
      defaultSessionKey: () => 'k',
      defaultPassthrough: () => false,
      eventId: () => 1,
      intercept: () => undefined,
    };
    const { options, reads } = shifty({ store, tenantId: 'acme' }, 'getSessionKey', [
      () => 'k1',
      () => 'k2',
    ]);
    const run = createTurnMiddleware(options as never, adapter);
    expect(reads()).toBe(1);
    await run(
      {},
      () => {},
      async () => {},
    );
    expect(await store.get('k1')).not.toBeNull();
    expect(await store.get('k2')).toBeNull();
    for (const bad of [
      { store, tenantId: 'acme', flowId: 'mine' },
      { store, tenantId: 'acme', getSessionKey: 3 },
      { store, tenantId: 'acme', passthrough: 'no' },
    ]) {
      const err = await (async () => {
        try {
          createTurnMiddleware(bad as never, adapter);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(SessionError);
      expect((err as SessionError).code).toBe('invalid_input');
      expect((err as SessionError).message).toContain('@greentic/session-x');
    }
  });
});
