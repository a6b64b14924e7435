/**
 * A vitest `globalSetup` for packages whose tests need a standalone Redis and
 * a 3-master cluster: provides `inject('redisUrl')`, `inject('redisClusterUrl')`
 * and `inject('redisServerAvailable')`. Use it from a one-line setup file:
 *
 * ```ts
 * export { setup, teardown } from '@greentic/redis-test-server/vitest-cluster';
 * ```
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import {
  ensureRedisServer,
  findRedisServer,
  type RedisServerHandle,
  startRedisCluster,
  startRedisServer,
  stopRedisServers,
} from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the standalone Redis the tests use. */
    redisUrl: string;
    /** redis+cluster:// URL of the 3-master cluster the tests use. */
    redisClusterUrl: string;
    /** Whether redis-server can be started by tests (kill/restart, command counts). */
    redisServerAvailable: boolean;
  }
}

const started: RedisServerHandle[] = [];

/**
 * Starts a private standalone server and a private 3-master cluster, unless
 * REDIS_URL and REDIS_CLUSTER_URL point at servers of the user's own. When
 * redis-server is missing it is installed (apt-get as root or with
 * passwordless sudo, Homebrew on macOS); when that is impossible the run
 * stops here with one instruction: the Redis tests never skip silently.
 */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_URL ?? '';
  let clusterUrl = process.env.REDIS_CLUSTER_URL ?? '';
  // With both URLs given, nothing has to be started; the tests that kill and
  // restart their own server still need the binary and run only when it is here.
  const ownServers = url !== '' && clusterUrl !== '';
  if (!ownServers) await ensureRedisServer();
  project.provide('redisServerAvailable', !ownServers || findRedisServer() !== null);
  if (url === '') {
    const server = await startRedisServer();
    started.push(server);
    url = `redis://127.0.0.1:${server.port}/0`;
  }
  project.provide('redisUrl', url);
  if (clusterUrl === '') {
    const nodes = await startRedisCluster();
    started.push(...nodes);
    clusterUrl = `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  }
  project.provide('redisClusterUrl', clusterUrl);
}

/** Stops every server setup started, by PID. */
export async function teardown(): Promise<void> {
  await stopRedisServers(started.splice(0));
}
