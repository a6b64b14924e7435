import { describeSessionStore, sampleSession, uniqueTenant } from '@greentic/session-test-suite';
import type { SessionLimits } from '@greentic/session-types';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { parseRedisUrl } from '../src/url.js';
import { REDIS_CLUSTER_URL, REDIS_URL, sleep, uniqueNamespace } from './helpers.js';

// An ioredis `keyPrefix` applies to KEYS of scripts and to plain commands
// alike, and the store builds no key inside Lua: a prefixed client works fully.

const clientOptions = { maxRetriesPerRequest: 0, enableOfflineQueue: false } as const;

describe.skipIf(REDIS_URL === '')('a standalone client with keyPrefix', () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });
  const open = (limits?: Partial<SessionLimits>) => {
    const client = new Redis(REDIS_URL, { ...clientOptions, keyPrefix: 'app:' });
    clients.push(client);
    return new RedisSessionStore({ client, namespace: uniqueNamespace(), limits });
  };
  describeSessionStore({
    name: 'redis standalone, keyPrefix client',
    createStore: () => open(),
    createStoreWithLimits: open,
    capabilities: { clock: 'real', advanceTime: sleep },
  });

  it('every key lands under the prefix, and the fence holds across prefixes', async () => {
    const raw = new Redis(REDIS_URL);
    const a = new Redis(REDIS_URL, { ...clientOptions, keyPrefix: 'app:' });
    clients.push(raw, a);
    const ns = uniqueNamespace();
    const store = new RedisSessionStore({ client: a, namespace: ns });
    const session = sampleSession();
    expect(await store.put(session)).toBe(1);
    expect(await raw.keys(`*${ns}*`)).toStrictEqual([`app:${ns}:{${session.key}}`]);
    expect((await store.get(session.key))?.cas).toBe(1);
    expect(await store.touch(session.key, 60)).toBe(true);
    await expect(
      store.put({ ...session, meta: { ...session.meta, tenantId: uniqueTenant() } }),
    ).rejects.toMatchObject({ code: 'tenant_mismatch' });
    expect(await store.delete(session.key)).toBe(true);
    expect(await raw.keys(`*${ns}*`)).toStrictEqual([]);
  });
});

describe.skipIf(REDIS_CLUSTER_URL === '')('a cluster client with keyPrefix', () => {
  const clients: Cluster[] = [];
  let nodes: { host: string; port: number }[] = [];
  beforeAll(() => {
    nodes = [...parseRedisUrl(REDIS_CLUSTER_URL).nodes];
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });
  const open = (limits?: Partial<SessionLimits>) => {
    const client = new Cluster(nodes, {
      keyPrefix: 'app:',
      enableOfflineQueue: false,
      retryDelayOnFailover: 0,
      redisOptions: clientOptions,
    });
    clients.push(client);
    return new RedisSessionStore({ client, namespace: uniqueNamespace(), limits });
  };
  describeSessionStore({
    name: 'redis cluster, keyPrefix client',
    createStore: () => open(),
    createStoreWithLimits: open,
    capabilities: { clock: 'real', advanceTime: sleep },
  });
});
