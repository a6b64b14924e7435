import { randomUUID } from 'node:crypto';
import { RedisSessionStore } from '@greentic/session-redis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type Counter, message, range, repliedIds, replies, turnAdapter } from './helpers.js';

// Every test runs on a standalone server and on a 3-master cluster.
const TARGETS = [
  ['standalone', inject('redisUrl')],
  ['cluster', inject('redisClusterUrl')],
] as const;
const N = 30;
const KEY = 'botbuilder:test:Convo1';
const opened: RedisSessionStore[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function openStore(namespace: string, url: string): Promise<RedisSessionStore> {
  // A loaded test machine may stall for seconds; production keeps the default timeout.
  const store = new RedisSessionStore({ url, namespace, commandTimeoutMs: 15_000 });
  opened.push(store);
  // A warm process, as in production: connected to every master before the burst.
  await store.ready();
  return store;
}

describe.each(TARGETS)('createBotTurnHandler on Redis %s, two bot instances', (mode, url) => {
  it(`${N} concurrent activities for one conversation across two adapters: zero lost, each reply exactly once`, async () => {
    const ns = `t${randomUUID().slice(0, 8)}`;
    const storeA = await openStore(ns, url);
    const a = turnAdapter(storeA);
    const b = turnAdapter(await openStore(ns, url));
    await Promise.all(
      range(1, N).map((id) => (id % 2 === 0 ? a : b).processActivity(message(String(id)))),
    );
    const got = await storeA.get(KEY);
    const data = got?.session.data as Counter | undefined;
    expect(data?.count).toBe(N);
    const texts = replies(a, b);
    expect(repliedIds(texts)).toStrictEqual(range(1, N));
    expect(new Set(texts.map((t) => t.split(' ').pop())).size).toBe(N);
    expect(a.activeQueue.length).toBeGreaterThan(0);
    expect(b.activeQueue.length).toBeGreaterThan(0);

    // Every activity redelivered to the other instance: nothing changes, nothing is sent.
    await Promise.all(
      range(1, N).map((id) => (id % 2 === 0 ? b : a).processActivity(message(String(id)))),
    );
    expect((await storeA.get(KEY))?.cas).toBe(got?.cas);
    expect(replies(a, b)).toHaveLength(N);

    // Logic that throws sends nothing and writes nothing.
    await expect(a.processActivity(message(String(N + 1), 'boom'))).rejects.toThrow('logic failed');
    expect((await storeA.get(KEY))?.cas).toBe(got?.cas);
    expect(replies(a, b)).toHaveLength(N);
    console.log(
      `[botbuilder/redis ${mode} 2 adapters] updates=${N} lost=${N - (data?.count ?? 0)} replies=${texts.length} duplicateReplies=${texts.length - new Set(repliedIds(texts)).size} redelivered=${N} redeliveredSent=${replies(a, b).length - N}`,
    );
  });
});
