import {
  type RedisServerHandle,
  startRedisServer,
  stopRedisServer,
} from '@greentic/redis-test-server';
import { createSession } from '@greentic/session-core';
import { SessionError } from '@greentic/session-types';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_SERVER_AVAILABLE, uniqueNamespace } from './helpers.js';

const KEYS = 1500;
const TENANTS = ['tenant-a', 'tenant-b', 'tenant-c'];

// A server that evicts any key under memory pressure, as an operator might
// (mis)configure it. Sessions may vanish like an expiry; the fence must hold.
describe.skipIf(!REDIS_SERVER_AVAILABLE)('under allkeys-lru eviction (maxmemory 3mb)', () => {
  let server: RedisServerHandle;
  let raw: Redis;
  let store: RedisSessionStore;
  const ns = uniqueNamespace();
  const key = (i: number) => `evict-${i}`;
  const owner = (i: number) => TENANTS[i % TENANTS.length] as string;

  beforeAll(async () => {
    server = await startRedisServer(undefined, undefined, [
      '--maxmemory',
      '3mb',
      '--maxmemory-policy',
      'allkeys-lru',
    ]);
    const url = `redis://127.0.0.1:${server.port}`;
    raw = new Redis(url);
    store = new RedisSessionStore({ url, namespace: ns, commandTimeoutMs: 5000 });
    // 4 rounds over 1,500 keys with ~1.5 KB of labels each: several times what fits.
    const filler = 'x'.repeat(1500);
    for (let round = 0; round < 4; round++) {
      for (let start = 0; start < KEYS; start += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, j) => {
            const i = start + j;
            return store.put(
              createSession({
                key: key(i),
                tenantId: owner(i),
                flowId: 'f',
                nodeId: `round-${round}`,
                ttlSecs: 0,
                labels: { filler, i },
              }),
            );
          }),
        );
      }
    }
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await raw?.quit();
    if (server) await stopRedisServer(server);
  });

  it('evicted some sessions, and every key is either whole or gone: fenced and unfenced reads agree', async () => {
    const info = await raw.info('stats');
    const evicted = Number(/evicted_keys:(\d+)/.exec(info)?.[1]);
    expect(evicted).toBeGreaterThan(KEYS);
    let live = 0;
    for (let i = 0; i < KEYS; i++) {
      const unfenced = await store.get(key(i));
      const fenced = await store.get(key(i), { tenantId: owner(i) });
      expect(fenced).toStrictEqual(unfenced);
      for (const other of TENANTS.filter((t) => t !== owner(i))) {
        expect(await store.get(key(i), { tenantId: other })).toBeNull();
      }
      if (unfenced !== null) {
        live++;
        expect(unfenced.session.meta.tenantId).toBe(owner(i));
        expect(unfenced.session.meta.labels.i).toBe(i);
      }
    }
    expect(live).toBeGreaterThan(0);
    expect(live).toBeLessThan(KEYS);
  });

  it('another tenant can never take a key whose owner can still read it', async () => {
    let taken = 0;
    let refused = 0;
    for (let i = 0; i < KEYS; i++) {
      const intruder = TENANTS[(i + 1) % TENANTS.length] as string;
      const ownerRead = await store.get(key(i), { tenantId: owner(i) });
      try {
        await store.put(
          createSession({ key: key(i), tenantId: intruder, flowId: 'f', nodeId: 'n', ttlSecs: 0 }),
        );
        taken++;
        // The key was gone (evicted) when it was taken; from then on it is the
        // intruder's, and the former owner sees nothing, fenced or unfenced.
        expect(await store.get(key(i), { tenantId: owner(i) })).toBeNull();
        expect((await store.get(key(i)))?.session.meta.tenantId).toBe(intruder);
      } catch (err) {
        expect(SessionError.isInstance(err) && err.code).toBe('tenant_mismatch');
        refused++;
        expect(ownerRead).not.toBeNull();
      }
    }
    expect(taken).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
