// The conformance suite on a client from ioredis 5 (the peer range is
// `^5.11.1 || ^6.0.0`): only the client comes from v5, the store is the same.
import { describeSessionStore } from '@greentic/session-test-suite';
import { Redis as Redis5 } from 'ioredis5';
import { afterAll, describe, expect, it } from 'vitest';
import { type RedisClient, RedisSessionStore } from '../src/index.js';
import { REDIS_URL, sleep, uniqueNamespace } from './helpers.js';

// Configured like the clients the store opens itself (README, "Bring your own
// client"): fail fast instead of queueing or replaying commands.
const client = new Redis5(REDIS_URL, {
  maxRetriesPerRequest: 0,
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
});
// ioredis 5 and 6 declare their classes separately; the store only uses what
// both versions share (defineCommand, EVALSHA/EVAL, GET, the connection events).
const shared = client as unknown as RedisClient;

afterAll(async () => {
  await client.quit();
});

describe('redis standalone through an ioredis 5 client', () => {
  it('really runs on ioredis 5.x', async () => {
    const { version } = (await import('ioredis5/package.json', { with: { type: 'json' } }))
      .default as { version: string };
    expect(version).toMatch(/^5\./);
    const store = new RedisSessionStore({ client: shared, namespace: uniqueNamespace() });
    const info = await store.ready();
    expect(info.mode).toBe('standalone');
    expect(info.redisVersions[0]).toMatch(/^\d+\.\d+/);
    expect(await store.get('absent')).toBeNull();
    await store.close();
    expect(client.status).toBe('ready');
  });

  describeSessionStore({
    name: 'redis standalone (ioredis 5 client)',
    createStore: () => new RedisSessionStore({ client: shared, namespace: uniqueNamespace() }),
    capabilities: { clock: 'real', advanceTime: sleep },
  });
});
