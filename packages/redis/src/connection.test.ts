import type { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisConnection } from './connection.js';

describe('RedisConnection on a Cluster it opens', () => {
  it('never lets ioredis send a command again after its connection closed (retryDelayOnFailover 0, even when given as undefined)', async () => {
    const connection = new RedisConnection(
      {
        kind: 'cluster',
        // Port 1 on loopback refuses: nothing is needed to read the options.
        nodes: [{ host: '127.0.0.1', port: 1 }],
        redisOptions: undefined,
        clusterOptions: { retryDelayOnFailover: undefined, lazyConnect: true } as never,
      },
      100,
    );
    try {
      expect((connection.client as Cluster).options.retryDelayOnFailover).toBe(0);
      expect((connection.client as Cluster).options.lazyConnect).toBe(true);
    } finally {
      await connection.close();
    }
  });
});
