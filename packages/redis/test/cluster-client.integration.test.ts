import { sampleSession } from '@greentic/session-test-suite';
import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { parseRedisUrl } from '../src/url.js';
import { REDIS_CLUSTER_URL, uniqueNamespace } from './helpers.js';

describe.skipIf(REDIS_CLUSTER_URL === '')('an existing ioredis Cluster passed in', () => {
  it('serves every operation and is left open by close()', async () => {
    const nodes = parseRedisUrl(REDIS_CLUSTER_URL).nodes;
    const cluster = new Cluster([...nodes]);
    try {
      const namespace = uniqueNamespace();
      const store = new RedisSessionStore({ client: cluster, namespace });
      const sessions = Array.from({ length: 12 }, () => sampleSession({ ttlSecs: 60 }));
      for (const session of sessions) expect(await store.put(session)).toBe(1);
      // The sessions spread over several masters, one key each.
      const perNode = await Promise.all(
        cluster.nodes('master').map((node) => node.keys(`${namespace}:*`)),
      );
      expect(perNode.filter((keys) => keys.length > 0).length).toBeGreaterThan(1);
      expect(perNode.flat()).toHaveLength(sessions.length);
      for (const session of sessions) {
        expect((await store.updateCas(session, 1)).ok).toBe(true);
        expect(await store.touch(session.key, 30, { tenantId: session.meta.tenantId })).toBe(true);
        expect((await store.get(session.key, { tenantId: session.meta.tenantId }))?.cas).toBe(2);
        expect(await store.delete(session.key)).toBe(true);
      }
      await store.close();
      expect(cluster.status).toBe('ready');
    } finally {
      await cluster.quit();
    }
  });
});
