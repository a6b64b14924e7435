import { randomUUID } from 'node:crypto';
import { createSession, sha256Hex } from '@greentic/session-core';
import { InMemorySessionStore } from '@greentic/session-memory';
import { SessionError, type StoredSession } from '@greentic/session-types';
import { describe, expect, it, vi } from 'vitest';
import { createIfAbsent } from './create-if-absent.js';
import { createTurnRunner } from './turn-runner.js';
import { readTurnState, TURN_LABEL } from './turn-state.js';

type Counter = { count: number; seen: number[] };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const key = () => `k-${randomUUID()}`;

/** The `data` of a stored session, asserting the session exists. */
function dataOf<T>(stored: StoredSession | null): T | undefined {
  if (stored === null) throw new Error('expected a stored session');
  return stored.session.data as T | undefined;
}

/** Stores a session of tenant acme under `k`, as another writer would. */
function putSession(
  store: InMemorySessionStore,
  k: string,
  extra: { labels?: Record<string, unknown>; data?: Counter } = {},
) {
  return store.put(
    createSession({
      key: k,
      tenantId: 'acme',
      flowId: 'test',
      nodeId: 'main',
      ttlSecs: 0,
      ...(extra as { labels?: Record<string, never>; data?: never }),
    }),
  );
}

function counterRunner(store: InMemorySessionStore, extra: Record<string, unknown> = {}) {
  return createTurnRunner<Counter>({
    store,
    tenantId: 'acme',
    flowId: 'test',
    initial: () => ({ count: 0, seen: [] }),
    baseDelayMs: 1,
    maxDelayMs: 5,
    maxAttempts: 64,
    ...extra,
  });
}

async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(SessionError.isInstance(err), String(err)).toBe(true);
    expect((err as SessionError).code).toBe(code);
    return;
  }
  throw new Error(`expected SessionError ${code}`);
}

describe('run', () => {
  it('N concurrent turns on a new key lose no update and perform each effect exactly once', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store);
    const k = key();
    const sent: number[] = [];
    const n = 20;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        runner.run(k, i, async (turn) => {
          const d = turn.data as Counter;
          const before = d.count;
          await sleep(2);
          d.count = before + 1;
          d.seen.push(i);
          turn.effect({ reply: i }, () => sent.push(i));
        }),
      ),
    );
    const got = await store.get(k);
    expect(got).not.toBeNull();
    const data = dataOf<Counter>(got);
    expect(data?.count).toBe(n);
    expect([...(data?.seen ?? [])].sort((a, b) => a - b)).toStrictEqual(
      Array.from({ length: n }, (_, i) => i),
    );
    expect(sent.sort((a, b) => a - b)).toStrictEqual(Array.from({ length: n }, (_, i) => i));
    expect(results.every((r) => r.status === 'committed')).toBe(true);
    expect(results.some((r) => r.attempts > 1)).toBe(true);
    expect(got?.session.cursor).toMatchObject({ flowId: 'test', nodeId: 'main', outboxSeq: n });
    // The newest 4 (keepOutbox's default) of the n entries, one per turn, in order.
    expect(got?.session.outbox.map((e) => e.seq)).toStrictEqual(
      Array.from({ length: 4 }, (_, i) => n - 3 + i),
    );
  });

  it('a redelivered event id runs no handler, writes nothing and sends nothing', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store);
    const k = key();
    let calls = 0;
    const handler = (turn: {
      data: Counter | undefined;
      effect: (p: string, f: () => void) => void;
    }) => {
      calls++;
      (turn.data as Counter).count++;
      turn.effect('hi', () => {});
    };
    const first = await runner.run(k, 'evt-1', handler);
    expect(first.status).toBe('committed');
    const again = await runner.run(k, 'evt-1', handler);
    expect(again).toMatchObject({ status: 'duplicate', cas: first.cas });
    expect(calls).toBe(1);
    expect((await store.get(k))?.cas).toBe(first.cas);
  });

  it('a throwing handler sends nothing and leaves the stored session unchanged', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store);
    const k = key();
    await runner.run(k, 1, (turn) => {
      (turn.data as Counter).count = 5;
    });
    const before = await store.get(k);
    const sent: string[] = [];
    const boom = new Error('boom');
    await expect(
      runner.run(k, 2, (turn) => {
        (turn.data as Counter).count = 99;
        turn.effect('x', () => sent.push('x'));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(sent).toStrictEqual([]);
    const after = await store.get(k);
    expect(after?.cas).toBe(before?.cas);
    expect(after?.session).toBe(before?.session);
    // The failed event is not remembered, so a redelivery runs it again.
    const retried = await runner.run(k, 2, (turn) => {
      (turn.data as Counter).count += 1;
    });
    expect(retried.status).toBe('committed');
  });

  it('records one outbox entry per effect with seq and the sha256 of its payload', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store);
    const k = key();
    const r = await runner.run(k, 1, (turn) => {
      turn.effect('plain text', () => 'a');
      turn.effect({ method: 'sendMessage', text: 'hi' }, async () => 'b');
      turn.effect(new Uint8Array([1, 2]), () => 'c');
    });
    if (r.status !== 'committed') throw new Error('not committed');
    expect(r.results).toStrictEqual(['a', 'b', 'c']);
    expect(r.outbox.map((e) => [e.seq, e.payloadSha256])).toStrictEqual([
      [1, sha256Hex('plain text')],
      [2, sha256Hex(JSON.stringify({ method: 'sendMessage', text: 'hi' }))],
      [3, sha256Hex(new Uint8Array([1, 2]))],
    ]);
    expect(r.session.cursor.outboxSeq).toBe(3);
    expect(r.session.outbox).toStrictEqual(r.outbox);
  });

  it('keeps only the newest keepOutbox entries and rememberEvents ids', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store, { keepOutbox: 2, rememberEvents: 3 });
    const k = key();
    for (let i = 1; i <= 5; i++) {
      await runner.run(k, i, (turn) => {
        turn.effect(`m${i}`, () => {});
      });
    }
    const got = await store.get(k);
    expect(got?.session.outbox.map((e) => e.seq)).toStrictEqual([4, 5]);
    expect(got ? readTurnState(got.session).events : null).toStrictEqual(['3', '4', '5']);
    // Increasing numeric ids: each but the newest as its difference to the next.
    expect(got?.session.meta.labels[TURN_LABEL]).toStrictEqual({ v: 3, events: '~1 ~1 5' });
    // An id older than the memory is no longer recognised.
    expect((await runner.run(k, 1, () => {})).status).toBe('committed');
    const none = counterRunner(store, { keepOutbox: 0 });
    const r = await none.run(k, 'z', (turn) => turn.effect('x', () => {}));
    expect(r.session.outbox).toStrictEqual([]);
    expect(r.session.cursor.outboxSeq).toBe(6);
  });

  it('keeps every entry of the committed turn even beyond keepOutbox; 4 by default', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store, { keepOutbox: 2 });
    const k = key();
    await runner.run(k, 1, (turn) => turn.effect('a', () => {}));
    const r = await runner.run(k, 2, (turn) => {
      for (const p of ['b', 'c', 'd']) turn.effect(p, () => {});
    });
    expect(r.status === 'committed' ? r.outbox.map((e) => e.seq) : null).toStrictEqual([2, 3, 4]);
    expect(r.session.outbox.map((e) => e.seq)).toStrictEqual([2, 3, 4]);
    const defaults = counterRunner(store);
    const d = key();
    for (let i = 1; i <= 20; i++)
      await defaults.run(d, i, (turn) => turn.effect(`m${i}`, () => {}));
    expect((await store.get(d))?.session.outbox.map((e) => e.seq)).toStrictEqual([17, 18, 19, 20]);
  });

  it('tells event ids apart whatever characters they hold (spaces, %, ~, prefixes)', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store, { rememberEvents: 10 });
    const k = key();
    const ids = ['3 4', '50%', '%20', ' ', 'a%2520b', '~1', '~', '%7E'];
    const bump = (turn: { data: Counter | undefined }) => {
      if (turn.data) turn.data.count += 1;
    };
    for (const id of ids) expect((await runner.run(k, id, bump)).status).toBe('committed');
    // Each id is remembered as itself ...
    for (const id of ids) expect((await runner.run(k, id, () => {})).status).toBe('duplicate');
    const got = await store.get(k);
    expect(got ? readTurnState(got.session).events : null).toStrictEqual(ids);
    // ... and none of them stands for another id: its parts, its decoding, a prefix.
    for (const other of [
      '3',
      '4',
      '50',
      '%',
      '%2520',
      'a',
      'b',
      '3%204',
      '%25',
      'a%20b',
      '1',
      '~2',
    ]) {
      expect((await runner.run(k, other, bump)).status).toBe('committed');
    }
    expect(dataOf<Counter>(await store.get(k))?.count).toBe(20);
  });

  it('reads the version 1 label of earlier releases and rewrites it as version 3', async () => {
    const store = new InMemorySessionStore();
    const k = key();
    await putSession(store, k, {
      labels: { [TURN_LABEL]: { v: 1, events: ['7', 'x y', 8] } },
      data: { count: 1, seen: [] },
    });
    const runner = counterRunner(store);
    expect((await runner.run(k, 7, () => {})).status).toBe('duplicate');
    expect((await runner.run(k, 'x y', () => {})).status).toBe('duplicate');
    // A non-string element is not an id; 8 was never an event id of ours.
    const r = await runner.run(k, 8, () => {});
    expect(r.status).toBe('committed');
    expect(r.session.meta.labels[TURN_LABEL]).toStrictEqual({ v: 3, events: '~1 x%20y 8' });
  });

  it('a foreign or damaged label reads as no events seen and is replaced', async () => {
    const store = new InMemorySessionStore();
    for (const label of [null, 'x', [1], { v: 2, events: 5 }, { v: 2 }]) {
      const k = key();
      await putSession(store, k, { labels: { [TURN_LABEL]: label } });
      const r = await counterRunner(store).run(k, 1, () => {});
      expect(r.status).toBe('committed');
      expect(r.session.meta.labels[TURN_LABEL]).toStrictEqual({ v: 3, events: '1' });
    }
  });

  it('a failing effect keeps the commit, skips later effects, and the redelivery is a duplicate', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store);
    const k = key();
    const sent: string[] = [];
    const fail = new Error('telegram 500');
    await expect(
      runner.run(k, 7, (turn) => {
        (turn.data as Counter).count = 1;
        turn.effect('a', () => sent.push('a'));
        turn.effect('b', () => {
          throw fail;
        });
        turn.effect('c', () => sent.push('c'));
      }),
    ).rejects.toBe(fail);
    expect(sent).toStrictEqual(['a']);
    const got = await store.get(k);
    expect(dataOf<Counter>(got)?.count).toBe(1);
    expect(got?.session.outbox.map((e) => e.seq)).toStrictEqual([1, 2, 3]);
    expect((await runner.run(k, 7, () => {})).status).toBe('duplicate');
  });

  it('gives up with conflict after maxAttempts and writes nothing of the losing turn', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store, { maxAttempts: 1 });
    const k = key();
    await runner.run(k, 0, () => {});
    const outcomes = await Promise.allSettled(
      [1, 2].map((i) =>
        runner.run(k, i, async (turn) => {
          await sleep(5);
          (turn.data as Counter).count += 1;
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason.code).toBe('conflict');
    expect(dataOf<Counter>(await store.get(k))?.count).toBe(1);
  });

  it('assigning undefined removes data; an absent initial leaves data absent', async () => {
    const store = new InMemorySessionStore();
    const runner = createTurnRunner({ store, tenantId: 'acme' });
    const k = key();
    const r1 = await runner.run(k, 1, (turn) => {
      expect(turn.data).toBeUndefined();
      expect(turn.attempt).toBe(1);
      expect(turn.eventId).toBe('1');
      turn.data = { a: [1] };
    });
    expect(r1.session.data).toStrictEqual({ a: [1] });
    expect(r1.session.cursor.flowId).toBe('turn');
    const r2 = await runner.run(k, 2, (turn) => {
      expect(turn.data).toStrictEqual({ a: [1] });
      expect(Object.isFrozen(turn.data)).toBe(false);
      turn.data = undefined;
    });
    expect('data' in r2.session).toBe(false);
  });

  it('sets ttlSecs on every commit and userId/teamId when creating', async () => {
    const store = new InMemorySessionStore();
    const runner = createTurnRunner({ store, tenantId: 'acme', ttlSecs: 60 });
    const k = key();
    const r = await runner.run(k, 1, () => {}, { userId: 'u1', teamId: 't1' });
    expect(r.session.ttlSecs).toBe(60);
    expect(r.session.meta).toMatchObject({ tenantId: 'acme', userId: 'u1', teamId: 't1' });
  });

  it('an effect cannot be buffered after the handler settled', async () => {
    const store = new InMemorySessionStore();
    const runner = createTurnRunner({ store, tenantId: 'acme' });
    let saved: { effect: (p: string, f: () => void) => void; open: boolean } | undefined;
    await runner.run(key(), 1, (turn) => {
      saved = turn;
      expect(turn.open).toBe(true);
    });
    expect(saved?.open).toBe(false);
    await expectCode(() => saved?.effect('late', () => {}), 'invalid_input');
  });

  it('a session deleted during every attempt is started again by the turn itself', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store);
    const k = key();
    await runner.run(k, 1, (turn) => {
      (turn.data as Counter).count += 1;
    });
    const r = await runner.run(k, 2, async (turn) => {
      await store.delete(k);
      (turn.data as Counter).count += 1;
    });
    // Attempt 1 read the session and lost it; attempt 2 found none and created it.
    expect(r.status).toBe('committed');
    expect(r.attempts).toBe(2);
    expect((r.session.data as Counter | undefined)?.count).toBe(1);
    expect((await store.get(k))?.session.data).toStrictEqual(r.session.data);
  });
});

describe('the cache of committed sessions', () => {
  const TTL = { ttlSecs: 3600 };
  const bump = (turn: {
    data: Counter | undefined;
    effect: (p: string, f: () => void) => void;
  }) => {
    if (turn.data) turn.data.count += 1;
  };

  it('starts the next turn of a key it committed without a get', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store, TTL);
    const k = key();
    const gets = vi.spyOn(store, 'get');
    await runner.run(k, 1, bump);
    expect(gets).toHaveBeenCalledTimes(1);
    for (let i = 2; i <= 10; i++) {
      const r = await runner.run(k, i, bump);
      expect(r.attempts).toBe(1);
    }
    expect(gets).toHaveBeenCalledTimes(1);
    expect(dataOf<Counter>(await store.get(k))?.count).toBe(10);
  });

  it('a session written by someone else since is read again: nothing lost, the stale attempt sends nothing', async () => {
    const store = new InMemorySessionStore();
    const a = counterRunner(store, TTL);
    const b = counterRunner(store, TTL);
    const k = key();
    const sent: string[] = [];
    const turn = (runner: typeof a, id: number) =>
      runner.run(k, id, (t) => {
        if (t.data) t.data.count += 1;
        const text = `${id}:${t.data?.count}`;
        t.effect(text, () => sent.push(text));
      });
    await turn(a, 1);
    await turn(b, 2); // a's cache is now stale
    const r = await turn(a, 3);
    expect(r.status).toBe('committed');
    // The cached attempt lost (its draft counted 2) and was run again on the fresh session.
    expect(r.attempts).toBe(2);
    expect(sent).toStrictEqual(['1:1', '2:2', '3:3']);
    expect(dataOf<Counter>(await store.get(k))?.count).toBe(3);
  });

  it('a session deleted or replaced since is read again, and created anew when gone', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store, TTL);
    const k = key();
    await runner.run(k, 1, bump);
    await store.delete(k);
    const r = await runner.run(k, 2, bump);
    expect(r.status).toBe('committed');
    expect(dataOf<Counter>(await store.get(k))?.count).toBe(1);
    // Replaced by another incarnation with a higher cas: still read again.
    await putSession(store, k, { data: { count: 100, seen: [] } });
    await runner.run(k, 3, bump);
    expect(dataOf<Counter>(await store.get(k))?.count).toBe(101);
  });

  it('decides a redelivery on what is stored, not on the cache', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store, TTL);
    const k = key();
    await runner.run(k, 1, bump);
    expect((await runner.run(k, 1, bump)).status).toBe('duplicate');
    // The session was purged and started again elsewhere: event 1 is not in it.
    await store.delete(k);
    await counterRunner(store, TTL).run(k, 2, bump);
    const again = await runner.run(k, 1, bump);
    expect(again.status).toBe('committed');
    expect(dataOf<Counter>(await store.get(k))?.count).toBe(2);
  });

  it('keeps at most cacheSessions keys, the least recently committed dropped first; 0, or no ttlSecs, reads every time', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store, { ...TTL, cacheSessions: 2 });
    const [k1, k2, k3] = [key(), key(), key()];
    const gets = vi.spyOn(store, 'get');
    for (const k of [k1, k2, k3]) await runner.run(k, 1, bump);
    expect(gets).toHaveBeenCalledTimes(3);
    await runner.run(k3, 2, bump); // cached
    await runner.run(k2, 2, bump); // cached
    expect(gets).toHaveBeenCalledTimes(3);
    await runner.run(k1, 2, bump); // dropped when k3 came in
    expect(gets).toHaveBeenCalledTimes(4);
    const none = counterRunner(store, { ...TTL, cacheSessions: 0 });
    gets.mockClear();
    for (let i = 3; i <= 5; i++) await none.run(k1, i, bump);
    expect(gets).toHaveBeenCalledTimes(3);
    // Without ttlSecs the runner keeps each session's own TTL, which a touch
    // may change without a new cas: it reads every time.
    const ownTtl = counterRunner(store);
    gets.mockClear();
    for (let i = 6; i <= 8; i++) await ownTtl.run(k1, i, bump);
    expect(gets).toHaveBeenCalledTimes(3);
  });
  it('keeps at most cacheBytes of sessions: big ones push out the oldest, one bigger than all of it is never cached', async () => {
    const store = new InMemorySessionStore();
    // Each session below holds ~20 kB of data; the cache may hold ~50 kB.
    const runner = counterRunner(store, { ...TTL, cacheBytes: 50_000 });
    const pad = (turn: { data: Counter | undefined }) => {
      if (turn.data) {
        turn.data.count += 1;
        (turn.data as Counter & { pad?: string }).pad = 'x'.repeat(20_000);
      }
    };
    const [k1, k2, k3] = [key(), key(), key()];
    const gets = vi.spyOn(store, 'get');
    for (const k of [k1, k2]) await runner.run(k, 1, pad);
    expect(gets).toHaveBeenCalledTimes(2);
    await runner.run(k1, 2, pad); // both fit: cached
    await runner.run(k2, 2, pad);
    expect(gets).toHaveBeenCalledTimes(2);
    await runner.run(k3, 1, pad); // a third does not fit: k1, least recent, goes
    expect(gets).toHaveBeenCalledTimes(3);
    await runner.run(k3, 2, pad);
    await runner.run(k2, 3, pad);
    expect(gets).toHaveBeenCalledTimes(3);
    await runner.run(k1, 3, pad);
    expect(gets).toHaveBeenCalledTimes(4);
    // One session larger than the whole budget is read every time.
    const small = counterRunner(store, { ...TTL, cacheBytes: 10_000 });
    const k4 = key();
    gets.mockClear();
    for (let i = 1; i <= 3; i++) await small.run(k4, i, pad);
    expect(gets).toHaveBeenCalledTimes(3);
    expect(dataOf<Counter>(await store.get(k4))?.count).toBe(3);
    // 0 turns the cache off.
    const off = counterRunner(store, { ...TTL, cacheBytes: 0 });
    gets.mockClear();
    for (let i = 1; i <= 3; i++) await off.run(k4, 10 + i, bump);
    expect(gets).toHaveBeenCalledTimes(3);
  });

  it('cacheBytes stays exact through stale starts and a session that outgrows it while cached', async () => {
    const store = new InMemorySessionStore();
    const runner = counterRunner(store, { ...TTL, cacheBytes: 50_000 });
    const other = counterRunner(store, { ...TTL, cacheSessions: 0 });
    const pad = (size: number) => (turn: { data: Counter | undefined }) => {
      if (turn.data) {
        turn.data.count += 1;
        (turn.data as Counter & { pad?: string }).pad = 'x'.repeat(size);
      }
    };
    const [k1, k2] = [key(), key()];
    let id = 0;
    await runner.run(k1, ++id, pad(20_000));
    await runner.run(k2, ++id, pad(20_000));
    // Twenty stale starts on k1: each drops the cached k1 and caches the new one.
    for (let i = 0; i < 20; i++) {
      await other.run(k1, ++id, pad(20_000));
      expect((await runner.run(k1, ++id, pad(20_000))).attempts).toBe(2);
    }
    // Were a dropped entry's bytes still counted, k1 and k2 would no longer fit together.
    const gets = vi.spyOn(store, 'get');
    await runner.run(k2, ++id, pad(20_000));
    await runner.run(k1, ++id, pad(20_000));
    expect(gets).toHaveBeenCalledTimes(0);
    // k1 grows past the whole budget: it leaves the cache, and k2 stays.
    await runner.run(k1, ++id, pad(60_000));
    await runner.run(k1, ++id, pad(60_000));
    expect(gets).toHaveBeenCalledTimes(1);
    await runner.run(k2, ++id, pad(20_000));
    expect(gets).toHaveBeenCalledTimes(1);
    // Shrunk again, it is cached again.
    await runner.run(k1, ++id, pad(10));
    await runner.run(k1, ++id, pad(10));
    expect(gets).toHaveBeenCalledTimes(2);
    // 1 + 20 × (other + runner) + 1 + 2 + 2 turns on k1, none lost.
    expect(dataOf<Counter>(await store.get(k1))?.count).toBe(46);
  });

  it('a touch between turns is never undone: without ttlSecs the TTL it set is kept', async () => {
    const store = new InMemorySessionStore();
    const k = key();
    const own = counterRunner(store);
    await own.run(k, 1, bump);
    await store.touch(k, 120);
    await own.run(k, 2, bump);
    expect((await store.get(k))?.session.ttlSecs).toBe(120);
    // With ttlSecs every commit writes the runner's TTL, cache or not.
    const fixed = counterRunner(store, TTL);
    await fixed.run(k, 3, bump);
    await store.touch(k, 120);
    await fixed.run(k, 4, bump);
    expect((await store.get(k))?.session.ttlSecs).toBe(3600);
    expect(dataOf<Counter>(await store.get(k))?.count).toBe(4);
  });

  it('a handler that throws on a stale cached session is run again on the fresh one', async () => {
    const store = new InMemorySessionStore();
    const a = counterRunner(store, TTL);
    const k = key();
    await a.run(k, 1, bump);
    await counterRunner(store, TTL).run(k, 2, bump); // a's cache is stale: count 1, stored 2
    const seen: number[] = [];
    const r = await a.run(k, 3, (t) => {
      seen.push(t.data?.count ?? -1);
      if (t.data?.count !== 2) throw new Error('unexpected state');
      t.data.count += 1;
    });
    expect(seen).toStrictEqual([1, 2]);
    expect(r.status).toBe('committed');
    expect(dataOf<Counter>(await store.get(k))?.count).toBe(3);
    // On the fresh session the handler's error is the turn's.
    await expect(
      a.run(k, 4, () => {
        throw new Error('always');
      }),
    ).rejects.toThrow('always');
  });

  it('a stale cached start does not use up one of maxAttempts', async () => {
    const store = new InMemorySessionStore();
    const a = counterRunner(store, { ...TTL, maxAttempts: 2 });
    const k = key();
    await a.run(k, 1, bump);
    await counterRunner(store, TTL).run(k, 2, bump); // a's cache is stale
    let run = 0;
    const r = await a.run(k, 3, async (t) => {
      run++;
      // On the first fresh attempt another writer commits in between: a real conflict.
      if (run === 2) await counterRunner(store, TTL).run(k, 'other', bump);
      if (t.data) t.data.count += 1;
    });
    expect(r.status).toBe('committed');
    expect(run).toBe(3);
    expect(dataOf<Counter>(await store.get(k))?.count).toBe(4);
  });
});

describe('tenants', () => {
  it('accepts a tenant view and fences to it', async () => {
    const store = new InMemorySessionStore();
    const runner = createTurnRunner({ store: store.forTenant('acme'), tenantId: 'acme' });
    expect(runner.tenantId).toBe('acme');
    const k = key();
    await runner.run(k, 1, () => {});
    expect(await store.get(k, { tenantId: 'other' })).toBeNull();
    const other = createTurnRunner({ store, tenantId: 'other' });
    await expectCode(
      other.run(k, 1, () => {}),
      'tenant_mismatch',
    );
  });

  it('rejects a tenantId that differs from the view and a missing tenantId', async () => {
    const store = new InMemorySessionStore();
    await expectCode(
      () => createTurnRunner({ store: store.forTenant('acme'), tenantId: 'b' }),
      'tenant_mismatch',
    );
    await expectCode(() => createTurnRunner({ store }), 'invalid_input');
  });
});

describe('input validation', () => {
  const store = new InMemorySessionStore();
  const bad: [string, Record<string, unknown>][] = [
    ['unknown option', { store, tenantId: 'a', nope: 1 }],
    ['store', { store: {}, tenantId: 'a' }],
    ['tenantId', { store, tenantId: 'a b' }],
    ['flowId', { store, tenantId: 'a', flowId: '' }],
    ['ttlSecs', { store, tenantId: 'a', ttlSecs: -1 }],
    ['initial', { store, tenantId: 'a', initial: 3 }],
    ['random', { store, tenantId: 'a', random: 3 }],
    ['rememberEvents', { store, tenantId: 'a', rememberEvents: 0 }],
    ['maxAttempts', { store, tenantId: 'a', maxAttempts: 1.5 }],
    ['cacheSessions', { store, tenantId: 'a', cacheSessions: -1 }],
    ['cacheSessions', { store, tenantId: 'a', cacheSessions: '5' }],
    ['cacheBytes', { store, tenantId: 'a', cacheBytes: -1 }],
    ['cacheBytes', { store, tenantId: 'a', cacheBytes: 1.5 }],
  ];
  for (const [what, options] of bad) {
    it(`createTurnRunner rejects a bad ${what} with invalid_input`, async () => {
      await expectCode(() => createTurnRunner(options as never), 'invalid_input');
    });
  }

  it('createTurnRunner rejects a non-object', async () => {
    await expectCode(() => createTurnRunner(null as never), 'invalid_input');
  });

  it('run rejects bad keys, event ids, handlers and options before touching the store', async () => {
    const runner = createTurnRunner({ store, tenantId: 'a' });
    await expectCode(
      runner.run('a b', 1, () => {}),
      'invalid_input',
    );
    await expectCode(
      runner.run('k', '', () => {}),
      'invalid_input',
    );
    await expectCode(
      runner.run('k', 1.5, () => {}),
      'invalid_input',
    );
    await expectCode(
      runner.run('k', 'x'.repeat(257), () => {}),
      'invalid_input',
    );
    await expectCode(
      runner.run('k', {} as never, () => {}),
      'invalid_input',
    );
    await expectCode(runner.run('k', 1, 'no' as never), 'invalid_input');
    await expectCode(
      runner.run('k', 1, () => {}, null as never),
      'invalid_input',
    );
    await expectCode(
      runner.run('k', 1, () => {}, { foo: 1 } as never),
      'invalid_input',
    );
    expect(await store.get('k')).toBeNull();
  });

  it('effect rejects a non-function perform and non-JSON payloads; nothing is written', async () => {
    const runner = createTurnRunner({ store, tenantId: 'a' });
    const k = key();
    await expectCode(
      runner.run(k, 1, (turn) => turn.effect('x', 'no' as never)),
      'invalid_input',
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expectCode(
      runner.run(k, 2, (turn) => turn.effect(cyclic as never, () => {})),
      'invalid_input',
    );
    await expectCode(
      runner.run(k, 3, (turn) => turn.effect((() => {}) as never, () => {})),
      'invalid_input',
    );
    // Not even the blank session the turns started from.
    expect(await store.get(k)).toBeNull();
  });
});

describe('createIfAbsent', () => {
  const opts = { flowId: 'f', ttlSecs: 0, userId: null, teamId: null };

  it('exactly one of N racing workers creates the session, and nothing else is written', async () => {
    const store = new InMemorySessionStore();
    const view = store.forTenant('acme');
    const k = key();
    const created = await Promise.all(
      Array.from({ length: 10 }, () => createIfAbsent(view, k, opts)),
    );
    expect(created.filter(Boolean)).toHaveLength(1);
    expect((await store.get(k))?.cas).toBe(1);
    expect(store.size).toBe(1);
  });

  it('never overwrites a session that exists, even one created between its read and its write', async () => {
    const store = new InMemorySessionStore();
    const view = store.forTenant('acme');
    const k = key();
    await createIfAbsent(view, k, opts);
    const got = await view.get(k);
    if (got === null) throw new Error('missing');
    await view.updateCas({ ...got.session, ttlSecs: 7 }, got.cas);
    expect(await createIfAbsent(view, k, opts)).toBe(false);
    expect((await view.get(k))?.session.ttlSecs).toBe(7);
    // The session appears between the read and the write: the create loses.
    let done = false;
    const racing = {
      ...view,
      tenantId: 'acme',
      get: async (key: string) => {
        const r = await view.get(key);
        if (!done) {
          done = true;
          await view.delete(key);
          await view.put(
            createSession({ key, tenantId: 'acme', flowId: 'z', nodeId: 'n', ttlSecs: 0 }),
          );
          return null;
        }
        return r;
      },
    };
    expect(await createIfAbsent(racing, k, opts)).toBe(false);
    expect((await view.get(k))?.session.cursor.flowId).toBe('z');
  });
});
