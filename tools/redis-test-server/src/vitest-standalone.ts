/**
 * A vitest `globalSetup` for packages whose tests need one standalone Redis:
 * starts a private `redis-server` (installing it first when it is missing,
 * see {@link ensureRedisServer}) unless `REDIS_URL` is set, and provides its
 * URL as `inject('redisUrl')`. Never skips: without a server it stops the run
 * with one instruction. Use it from a one-line setup file:
 *
 * ```ts
 * export { setup, teardown } from '@greentic/redis-test-server/vitest-standalone';
 * ```
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import {
  ensureRedisServer,
  type RedisServerHandle,
  startRedisServer,
  stopRedisServers,
} from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the standalone Redis the tests use. */
    redisUrl: string;
  }
}

const started: RedisServerHandle[] = [];

/** Starts a private standalone redis-server unless REDIS_URL is given. */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_URL ?? '';
  if (url === '') {
    await ensureRedisServer();
    const server = await startRedisServer();
    started.push(server);
    url = `redis://127.0.0.1:${server.port}/0`;
  }
  project.provide('redisUrl', url);
}

/** Stops the server setup started, by PID. */
export async function teardown(): Promise<void> {
  await stopRedisServers(started.splice(0));
}
