import { createSession, createSessionStore } from '@greentic/session-core';
import { SessionError } from '@greentic/session-types';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryBackend } from './backend.js';
import {
  createInMemorySessionStore,
  InMemorySessionStore,
  openSessionStore,
} from './in-memory-session-store.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');

function session(key: string, ttlSecs: number) {
  return createSession({ key, tenantId: 'acme', flowId: 'f', nodeId: 'n', ttlSecs });
}

describe('InMemorySessionStore', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a session lives exactly ttlSecs: live 1 ms before, gone at the instant it expires', async () => {
    const store = new InMemorySessionStore();
    await store.put(session('k', 60));
    vi.setSystemTime(T0 + 59_999);
    expect(await store.get('k')).not.toBeNull();
    vi.setSystemTime(T0 + 60_000);
    expect(await store.get('k')).toBeNull();
    expect(store.size).toBe(0);
  });

  it('evicts expired sessions in bounded batches per call, never all at once', async () => {
    const store = new InMemorySessionStore({ sweepBatchSize: 10 });
    for (let i = 0; i < 100; i++) await store.put(session(`short-${i}`, 1));
    await store.put(session('forever', 0));
    vi.setSystemTime(T0 + 5_000);
    expect(store.size).toBe(101);
    await store.get('forever');
    expect(store.size).toBe(91);
    await store.get('forever');
    expect(store.size).toBe(81);
    expect(store.sweepExpired(5)).toBe(5);
    expect(store.sweepExpired()).toBe(75);
    expect(store.size).toBe(1);
    expect(store.sweepExpired()).toBe(0);
  });

  it('an expired entry beyond the sweep batch is still never returned', async () => {
    const store = new InMemorySessionStore({ sweepBatchSize: 1 });
    for (let i = 0; i < 10; i++) await store.put(session(`k${i}`, 1 + i));
    vi.setSystemTime(T0 + 60_000);
    expect(await store.get('k9')).toBeNull();
    expect(await store.touch('k8')).toBe(false);
    expect(await store.delete('k7')).toBe(false);
  });

  it('rewriting a key replaces its expiry instead of piling up heap entries', async () => {
    const store = new InMemorySessionStore();
    const s = session('k', 10);
    let cas = await store.put(s);
    for (let i = 0; i < 50; i++) {
      const result = await store.updateCas(s, cas);
      if (result.ok) cas = result.cas;
    }
    vi.setSystemTime(T0 + 11_000);
    expect(store.sweepExpired()).toBe(1);
    expect(store.size).toBe(0);
  });

  it('touch to ttl 0 removes the session from the expiry index', async () => {
    const store = new InMemorySessionStore();
    await store.put(session('k', 1));
    await store.touch('k', 0);
    vi.setSystemTime(T0 + 10 * 24 * 3600 * 1000);
    expect(store.sweepExpired()).toBe(0);
    expect((await store.get('k'))?.session.ttlSecs).toBe(0);
  });

  it('get hands out the same frozen snapshot until the next write', async () => {
    const store = new InMemorySessionStore();
    await store.put(session('k', 0));
    const a = await store.get('k');
    expect(await store.get('k')).toBe(a);
    await store.touch('k');
    const b = await store.get('k');
    expect(b).not.toBe(a);
    expect(b?.session.meta).toBe(a?.session.meta);
  });

  it('an update built from the stored snapshot shares its unchanged parts', async () => {
    const store = new InMemorySessionStore();
    await store.put(session('k', 60));
    const read = await store.get('k');
    if (read === null) throw new Error('missing');
    const next = { ...read.session, cursor: { ...read.session.cursor, nodeId: 'next' } };
    const result = await store.updateCas(next, read.cas);
    if (!result.ok) throw new Error('conflict');
    expect(result.session.meta).toBe(read.session.meta);
    expect(result.session.outbox).toBe(read.session.outbox);
    expect(result.session.cursor).not.toBe(next.cursor);
    expect(Object.isFrozen(next.cursor)).toBe(false);
  });

  it('uses the injected clock', async () => {
    let now = T0;
    const store = new InMemorySessionStore({ now: () => now });
    await store.put(session('k', 1));
    expect((await store.get('k'))?.session.updatedAt).toBe(new Date(T0).toISOString());
    now += 1000;
    expect(await store.get('k')).toBeNull();
  });

  it('rejects bad options with invalid_input', () => {
    const bad: unknown[] = [
      null,
      { sweepBatchSize: 0 },
      { sweepBatchSize: 1.5 },
      { now: 5 },
      { ttl: 1 },
    ];
    for (const options of bad) {
      expect(() => new InMemorySessionStore(options as object)).toThrowError(
        expect.objectContaining({ code: 'invalid_input' }),
      );
    }
    expect(() => new InMemorySessionStore({ sweepBatchSize: 0 })).toThrow(
      /\[@greentic\/session-memory\] constructor: options.sweepBatchSize/,
    );
  });

  it('sweepExpired rejects a bad limit and throws unavailable once closed', async () => {
    const store = createInMemorySessionStore();
    expect(() => store.sweepExpired(-1)).toThrowError(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    await store.close();
    expect(() => store.sweepExpired()).toThrowError(
      expect.objectContaining({ code: 'unavailable' }),
    );
  });
});

describe('openSessionStore and createSessionStore("memory://")', () => {
  it('opens a working store from memory:// through the core factory, passed or registered by import', async () => {
    const passed = await createSessionStore('memory://', { backends: [memoryBackend] });
    expect(passed).toBeInstanceOf(InMemorySessionStore);
    expect(await passed.put(session('via-factory', 0))).toBe(1);
    await passed.close();
    // Importing the package (here: its backend module) registered it.
    const registered = await createSessionStore('memory://?sweepBatchSize=3');
    expect(registered).toBeInstanceOf(InMemorySessionStore);
    await registered.close();
    expect(memoryBackend.schemes).toStrictEqual(['memory']);
    expect(memoryBackend.name).toBe('@greentic/session-memory');
  });

  it('reads sweepBatchSize from the URL and rejects unknown parameters and schemes', () => {
    expect(openSessionStore('memory://?sweepBatchSize=4')).toBeInstanceOf(InMemorySessionStore);
    for (const url of [
      'memory://?sweepBatchSize=x',
      'memory://?size=1',
      'redis://localhost',
      'not a url',
    ]) {
      let caught: unknown;
      try {
        openSessionStore(url);
      } catch (err) {
        caught = err;
      }
      expect(SessionError.isInstance(caught) && caught.code, url).toBe('invalid_input');
    }
  });
});

describe('options, limits and URLs (issue 10)', () => {
  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (err) {
      return SessionError.isInstance(err) ? err.code : `raw ${String(err)}`;
    }
    return undefined;
  };

  it('options must be a plain object: a Date, an array or a class instance is invalid_input', () => {
    for (const options of [new Date(), [], new (class Options {})(), null, 'x']) {
      expect(codeOf(() => new InMemorySessionStore(options as never))).toBe('invalid_input');
    }
    expect(() => new InMemorySessionStore(Object.create(null))).not.toThrow();
  });

  it('takes a limits option, fills in the defaults, and validates it', () => {
    const store = new InMemorySessionStore({ limits: { maxLabelsBytes: 64 } });
    expect(store.limits).toStrictEqual({
      maxLabelsBytes: 64,
      maxLabelValues: 10_000,
      maxOutboxEntries: 10_000,
      maxDataBytes: 1_048_576,
      maxDataValues: 10_000,
    });
    expect(new InMemorySessionStore().limits.maxLabelsBytes).toBe(1_048_576);
    for (const limits of [{ maxLabelsBytes: 0 }, { maxBytes: 5 }, new Date()]) {
      expect(codeOf(() => new InMemorySessionStore({ limits: limits as never }))).toBe(
        'invalid_input',
      );
    }
  });

  it('enforces its own limits on put and updateCas', async () => {
    const store = new InMemorySessionStore({ limits: { maxLabelsBytes: 64 } });
    const s = session('small', 0);
    const cas = await store.put(s);
    const big = { ...s, meta: { ...s.meta, labels: { a: 'x'.repeat(100) } } };
    await expect(store.put(big)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(store.updateCas(big, cas)).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await store.get('small'))?.session.meta.labels).toStrictEqual({});
  });

  it('openSessionStore passes options through and never echoes the URL', () => {
    const store = openSessionStore('memory://', { limits: { maxOutboxEntries: 3 } });
    expect(store.limits.maxOutboxEntries).toBe(3);
    for (const url of ['redis://user:S3cret@host:6379/0', 'redis:/user:S3cret@host', 'S3cret']) {
      let caught: unknown;
      try {
        openSessionStore(url);
      } catch (err) {
        caught = err;
      }
      expect(SessionError.isInstance(caught)).toBe(true);
      expect((caught as Error).message).not.toContain('S3cret');
    }
    expect(codeOf(() => openSessionStore('memory://', new Date() as never))).toBe('invalid_input');
  });

  const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
  it(`openSessionStore opens a store or throws invalid_input for any URL (fuzz, ${RUNS} runs)`, () => {
    const url = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc
        .tuple(
          fc.constantFrom('memory://', 'MEMORY://', 'memory:', 'memory:/', 'redis://'),
          fc.constantFrom(
            '',
            '?',
            '?sweepBatchSize=',
            '?sweepBatchSize=7',
            '?x=1',
            '#f',
            'u:S3cret@h/',
          ),
          fc.string({ unit: 'binary', maxLength: 20 }),
        )
        .map(([a, b, c]) => `${a}${b}${c}`),
    );
    fc.assert(
      fc.property(url, (u) => {
        let store: InMemorySessionStore | undefined;
        try {
          store = openSessionStore(u);
        } catch (err) {
          expect(SessionError.isInstance(err)).toBe(true);
          expect((err as SessionError).code).toBe('invalid_input');
          if (u.includes('S3cret')) expect((err as Error).message).not.toContain('S3cret');
          return;
        }
        expect(store).toBeInstanceOf(InMemorySessionStore);
        expect(new URL(u).protocol).toBe('memory:');
      }),
      { numRuns: RUNS, seed: 20261127 },
    );
  });
});
