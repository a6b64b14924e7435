import { createSessionStore } from '@greentic/session-core';
import { sampleSession } from '@greentic/session-test-suite';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../src/backend.js';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_CLUSTER_URL, REDIS_URL, uniqueNamespace } from './helpers.js';

describe("core's createSessionStore opens this package", () => {
  it.skipIf(REDIS_URL === '')('redis://host:port/db?namespace=x', async () => {
    const namespace = uniqueNamespace();
    const sep = REDIS_URL.includes('?') ? '&' : '?';
    const store = await createSessionStore(
      `${REDIS_URL}${sep}namespace=${encodeURIComponent(namespace)}&commandTimeoutMs=750`,
      { backends: [redisBackend] },
    );
    expect(store).toBeInstanceOf(RedisSessionStore);
    expect((store as RedisSessionStore).namespace).toBe(namespace);
    expect((store as RedisSessionStore).commandTimeoutMs).toBe(750);
    const session = sampleSession();
    expect(await store.put(session)).toBe(1);
    const raw = new Redis(REDIS_URL);
    try {
      expect(await raw.get(`${namespace}:{${session.key}}`)).toMatch(
        new RegExp(`^g1:1:\\d+:\\d+:${session.meta.tenantId}:${session.id}:\\{`),
      );
    } finally {
      await raw.quit();
      await store.close();
    }
  });

  it.skipIf(REDIS_CLUSTER_URL === '')(
    'redis+cluster://host1:port1,host2:port2?namespace=x',
    async () => {
      const namespace = uniqueNamespace();
      // Registered by importing the backend module above.
      const store = await createSessionStore(`${REDIS_CLUSTER_URL}?namespace=${namespace}`, {
        backendOptions: { commandTimeoutMs: 2000 },
      });
      try {
        expect((store as RedisSessionStore).namespace).toBe(namespace);
        expect((store as RedisSessionStore).commandTimeoutMs).toBe(2000);
        // Keys spread over every master.
        for (let i = 0; i < 20; i++) {
          const session = sampleSession();
          expect(await store.put(session)).toBe(1);
          expect((await store.get(session.key))?.cas).toBe(1);
          expect(await store.delete(session.key)).toBe(true);
        }
      } finally {
        await store.close();
      }
    },
  );

  it('rejects options the backend does not know', async () => {
    await expect(
      createSessionStore('redis://127.0.0.1:1/0', { backendOptions: { nope: 1 } }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
