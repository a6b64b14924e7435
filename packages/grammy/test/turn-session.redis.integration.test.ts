import { randomUUID } from 'node:crypto';
import { RedisSessionStore } from '@greentic/session-redis';
import { session } from 'grammy';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { sessionStorage, turnSession } from '../src/index.js';
import {
  type Counter,
  type CounterContext,
  countingHandler,
  offlineBot,
  type RecordedCall,
  range,
  repliedUpdates,
  replies,
  textUpdate,
} from './helpers.js';

// Every test runs on a standalone server and on a 3-master cluster.
const TARGETS = [
  ['standalone', inject('redisUrl')],
  ['cluster', inject('redisClusterUrl')],
] as const;
const initial = (): Counter => ({ count: 0, updates: [] });
const N = 30;
const opened: RedisSessionStore[] = [];

/** One "process": its own Redis connection. */
async function openStore(namespace: string, url: string): Promise<RedisSessionStore> {
  // A loaded test machine may stall for seconds; production keeps the default timeout.
  const store = new RedisSessionStore({ url, namespace, commandTimeoutMs: 15_000 });
  opened.push(store);
  // A warm process, as in production: connected to every master before the burst.
  await store.ready();
  return store;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

function turnBot(name: string, store: RedisSessionStore, calls: RecordedCall[], ttlSecs?: number) {
  const bot = offlineBot(name, calls);
  const turns = turnSession<Counter, CounterContext>({
    store,
    tenantId: 'acme',
    initial,
    // With ttlSecs each runner starts from the session it committed last (its
    // cache), which the other bot's commits keep making stale.
    ...(ttlSecs === undefined ? {} : { ttlSecs }),
    baseDelayMs: 2,
    maxDelayMs: 20,
    maxAttempts: 200,
  });
  turns.command('boom', (ctx) => {
    ctx.session.count = -1;
    void ctx.reply('never');
    throw new Error('handler failed');
  });
  turns.on('message:text', countingHandler);
  bot.use(turns);
  return bot;
}

async function stored(store: RedisSessionStore, chatId: number) {
  const got = await store.get(`grammy:4242:${chatId}`);
  if (got === null) throw new Error('no session');
  return { data: got.session.data as Counter | undefined, cas: got.cas };
}

describe.each(TARGETS)('turnSession on Redis %s, two bot instances', (mode, url) => {
  it.each([
    ['no ttlSecs: a read every turn', undefined],
    ['ttlSecs: turns start from a cache the other bot makes stale', 3600],
  ] as const)(
    `${N} concurrent updates for one chat across two bots: zero lost, each reply exactly once (%s)`,
    async (_what, ttlSecs) => {
      const ns = `t${randomUUID().slice(0, 8)}`;
      const calls: RecordedCall[] = [];
      const storeA = await openStore(ns, url);
      const storeB = await openStore(ns, url);
      const a = turnBot('a', storeA, calls, ttlSecs);
      const b = turnBot('b', storeB, calls, ttlSecs);
      await Promise.all(
        range(1, N).map((id) => (id % 2 === 0 ? a : b).handleUpdate(textUpdate(id, 77))),
      );
      const { data } = await stored(storeA, 77);
      expect(data?.count).toBe(N);
      expect([...(data?.updates ?? [])].sort((x, y) => x - y)).toStrictEqual(range(1, N));
      expect(repliedUpdates(calls)).toStrictEqual(range(1, N));
      const counts = replies(calls).map((t) => Number(t.split(' ').pop()));
      expect(new Set(counts).size).toBe(N);
      expect(new Set(calls.map((c) => c.bot))).toStrictEqual(new Set(['a', 'b']));

      // Redelivery of every update, to the other instance: nothing changes, nothing is sent.
      const before = await stored(storeB, 77);
      const sent = calls.length;
      await Promise.all(
        range(1, N).map((id) => (id % 2 === 0 ? b : a).handleUpdate(textUpdate(id, 77))),
      );
      const after = await stored(storeB, 77);
      expect(after.cas).toBe(before.cas);
      expect(calls.length).toBe(sent);

      // A throwing handler sends nothing and writes nothing.
      await expect(a.handleUpdate(textUpdate(N + 1, 77, '/boom'))).rejects.toThrow(
        'handler failed',
      );
      expect((await stored(storeA, 77)).cas).toBe(before.cas);
      expect(calls.length).toBe(sent);
      console.log(
        `[grammy/redis ${mode} 2 bots] updates=${N} lost=${N - (data?.count ?? 0)} replies=${replies(calls).length} duplicateReplies=${replies(calls).length - new Set(repliedUpdates(calls)).size} redelivered=${N} redeliveredSent=${calls.length - sent}`,
      );
    },
  );

  it("grammY's own session() with sessionStorage on two bots loses updates (baseline)", async () => {
    const ns = `t${randomUUID().slice(0, 8)}`;
    const calls: RecordedCall[] = [];
    const bots = [await openStore(ns, url), await openStore(ns, url)].map((store, i) => {
      const bot = offlineBot(`p${i}`, calls);
      bot.use(session({ initial, storage: sessionStorage<Counter>({ store, tenantId: 'acme' }) }));
      bot.on('message:text', countingHandler);
      return bot;
    });
    await Promise.all(range(1, N).map((id) => bots[id % 2]?.handleUpdate(textUpdate(id, 78))));
    const got = await opened[0]?.get('grammy:78');
    const count = (got?.session.data as Counter | undefined)?.count ?? 0;
    expect(count).toBeLessThan(N);
    console.log(
      `[grammy session()+sessionStorage/redis ${mode} 2 bots baseline] updates=${N} lost=${N - count} replies=${replies(calls).length}`,
    );
  });
});
