import {
  findRedisServer,
  type RedisServerHandle,
  startRedisServer,
  stopRedisServers,
} from '@greentic/redis-test-server';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a standalone Redis for the tests, or '' when none is available. */
    redisUrl: string;
  }
}

const started: RedisServerHandle[] = [];

/** Starts a private standalone redis-server unless REDIS_URL is given. */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_URL ?? '';
  if (url === '') {
    if (findRedisServer() !== null) {
      const server = await startRedisServer();
      started.push(server);
      url = `redis://127.0.0.1:${server.port}/0`;
    } else {
      const message =
        'redis-server is not installed and REDIS_URL is not set: the Redis tests of @greentic/session-telegraf are SKIPPED.';
      if (process.env.CI === 'true') throw new Error(`[CI] ${message}`);
      console.warn(`\n${message}\n`);
    }
  }
  project.provide('redisUrl', url);
}

/** Stops the server setup started, by PID. */
export async function teardown(): Promise<void> {
  await stopRedisServers(started.splice(0));
}
