/**
 * A vitest `globalSetup` for packages whose tests also run on a Redis
 * Cluster: starts a private 3-master cluster (installing redis-server first
 * when it is missing, see {@link ensureRedisServer}) unless
 * `REDIS_CLUSTER_URL` is set, and provides its `redis+cluster://` URL as
 * `inject('redisClusterUrl')`. Never skips. Use it beside the standalone
 * setup, from a one-line setup file:
 *
 * ```ts
 * export { setup, teardown } from '@greentic/redis-test-server/vitest-cluster';
 * ```
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import {
  ensureRedisServer,
  type RedisServerHandle,
  startRedisCluster,
  stopRedisServers,
} from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** redis+cluster:// URL of the 3-master cluster the tests use. */
    redisClusterUrl: string;
  }
}

const started: RedisServerHandle[] = [];

/** Starts a private 3-master cluster unless REDIS_CLUSTER_URL is given. */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_CLUSTER_URL ?? '';
  if (url === '') {
    await ensureRedisServer();
    const nodes = await startRedisCluster();
    started.push(...nodes);
    url = `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  }
  project.provide('redisClusterUrl', url);
}

/** Stops every node setup started, by PID. */
export async function teardown(): Promise<void> {
  await stopRedisServers(started.splice(0));
}
