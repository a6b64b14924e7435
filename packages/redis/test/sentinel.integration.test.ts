import { createSessionStore, mutate } from '@greentic/session-core';
import { sampleSession } from '@greentic/session-test-suite';
import { SessionError } from '@greentic/session-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisBackend } from '../src/backend.js';
import type { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_SERVER_AVAILABLE, sleep, uniqueNamespace } from './helpers.js';
import { failover, type SentinelSetup, startSentinelSetup } from './sentinel.js';

describe.skipIf(!REDIS_SERVER_AVAILABLE)('redis+sentinel:// against a real redis-sentinel', () => {
  let setup: SentinelSetup;
  beforeAll(async () => {
    setup = await startSentinelSetup();
  }, 30_000);
  afterAll(async () => {
    await setup?.stop();
  });

  it('the factory opens a store through the sentinel, and it survives a failover with no acknowledged write lost', async () => {
    const url = `redis+sentinel://127.0.0.1:${setup.sentinel.port}/${setup.masterName}?namespace=${uniqueNamespace()}`;
    const store = (await createSessionStore(url, {
      backends: [redisBackend],
      backendOptions: { commandTimeoutMs: 500 },
    })) as RedisSessionStore;
    try {
      const info = await store.ready();
      expect(info.mode).toBe('standalone');
      const session = sampleSession({ ttlSecs: 0 });
      expect(await store.put(session)).toBe(1);
      const counter = { ...session, meta: { ...session.meta, labels: { n: 0 } } };
      await store.put(counter);
      let acknowledged = 0;
      const increment = async () => {
        try {
          await mutate(store, session.key, (s) => ({
            ...s,
            meta: { ...s.meta, labels: { n: (s.meta.labels.n as number) + 1 } },
          }));
          acknowledged++;
          return 'ok';
        } catch (err) {
          return SessionError.isInstance(err) ? err.code : 'raw';
        }
      };
      for (let i = 0; i < 5; i++) expect(await increment()).toBe('ok');
      const newPort = await failover(setup);
      expect(newPort).toBe(setup.replica.port);
      // Until the client finds the new master, writes fail without running
      // (READONLY on the old one is `unavailable`) or time out; then they succeed.
      const outcomes: string[] = [];
      for (let i = 0; i < 100 && outcomes.at(-1) !== 'ok'; i++) {
        outcomes.push(await increment());
        if (outcomes.at(-1) !== 'ok') await sleep(100);
      }
      expect(outcomes.at(-1)).toBe('ok');
      for (const o of outcomes) expect(['ok', 'unavailable', 'timeout']).toContain(o);
      const n = (await store.get(session.key))?.session.meta.labels.n as number;
      const maybe = outcomes.filter((o) => o === 'timeout').length;
      expect(n).toBeGreaterThanOrEqual(acknowledged);
      expect(n).toBeLessThanOrEqual(acknowledged + maybe);
    } finally {
      await store.close();
    }
  }, 60_000);
});
