import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

/** Standalone Redis URL from the global setup, or '' (tests skip). */
export const REDIS_URL = inject('redisUrl');
/** Cluster URL from the global setup, or '' (tests skip). */
export const REDIS_CLUSTER_URL = inject('redisClusterUrl');
/** Whether tests may start their own redis-server (kill/restart, command counts). */
export const REDIS_SERVER_AVAILABLE = inject('redisServerAvailable');

/** A namespace no other test uses, so tests never see each other's keys. */
export function uniqueNamespace(): string {
  return `t${randomUUID().slice(0, 8)}:session`;
}

/** Resolves after `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
