import {
  findRedisServer,
  type RedisServerHandle,
  startRedisCluster,
  startRedisServer,
  stopRedisServers,
} from '@greentic/session-test-suite/redis-server';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a standalone Redis for the tests, or '' when none is available. */
    redisUrl: string;
    /** redis+cluster:// URL of a 3-master cluster, or '' when none is available. */
    redisClusterUrl: string;
    /** Whether redis-server can be started by tests (kill/restart, command counts). */
    redisServerAvailable: boolean;
  }
}

const started: RedisServerHandle[] = [];

function missing(what: string): void {
  const message = `redis-server is not installed and ${what} is not set: the Redis tests of @greentic/session-redis are SKIPPED. Install redis-server (apt-get install -y redis-server) or set ${what}.`;
  if (process.env.CI === 'true') throw new Error(`[CI] ${message}`);
  console.warn(`\n${'!'.repeat(80)}\n${message}\n${'!'.repeat(80)}\n`);
}

/** Starts a private standalone server and a private 3-master cluster unless URLs are given. */
export async function setup(project: TestProject): Promise<void> {
  const available = findRedisServer() !== null;
  project.provide('redisServerAvailable', available);
  let url = process.env.REDIS_URL ?? '';
  if (url === '') {
    if (available) {
      const server = await startRedisServer();
      started.push(server);
      url = `redis://127.0.0.1:${server.port}/0`;
    } else missing('REDIS_URL');
  }
  project.provide('redisUrl', url);
  let clusterUrl = process.env.REDIS_CLUSTER_URL ?? '';
  if (clusterUrl === '') {
    if (available) {
      const nodes = await startRedisCluster();
      started.push(...nodes);
      clusterUrl = `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
    } else missing('REDIS_CLUSTER_URL');
  }
  project.provide('redisClusterUrl', clusterUrl);
}

/** Stops every server setup started, by PID. */
export async function teardown(): Promise<void> {
  await stopRedisServers(started.splice(0));
}
