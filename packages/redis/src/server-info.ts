import { type OpContext, sessionError } from '@greentic/session-core/backend';
import type { Cluster, Redis } from 'ioredis';
import type { RedisConnection } from './connection.js';

/** What {@link RedisSessionStore.ready} found on one master. */
export interface RedisMasterInfo {
  /** `host:port` the client is connected to (never credentials). */
  readonly address: string;
  /** `redis_version`. */
  readonly redisVersion: string;
  /** `maxmemory_policy`. */
  readonly maxmemoryPolicy: string;
  /** `cluster_state` (`ok` whenever `ready()` resolves), or null on a standalone server. */
  readonly clusterState: string | null;
  /** Round trip of one `PING`, in milliseconds: the median of three, sent one after the other. */
  readonly latencyMs: number;
}

/** What {@link RedisSessionStore.ready} found on the server. */
export interface RedisServerInfo {
  /** `standalone`, or `cluster` for a Redis Cluster. */
  readonly mode: 'standalone' | 'cluster';
  /** `redis_version` of each master, in the order the client lists them. */
  readonly redisVersions: readonly string[];
  /** `maxmemory_policy` of each master (`noeviction` is what sessions need). */
  readonly maxmemoryPolicies: readonly string[];
  /** Settings that weaken the store's guarantees, one sentence each. */
  readonly warnings: readonly string[];
  /** Each master in the order of `redisVersions`: address, settings, cluster state, latency. */
  readonly masters: readonly RedisMasterInfo[];
}

/** Median of three sequential PINGs, so one scheduling hiccup does not count. */
async function pingLatencyMs(node: Redis): Promise<number> {
  const rounds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await node.ping();
    rounds.push(performance.now() - start);
  }
  // Microseconds are the most a timer here resolves; more digits are noise.
  return Math.round((rounds.sort((a, b) => a - b)[1] as number) * 1000) / 1000;
}

function addressOf(node: Redis): string {
  // The socket's peer is where the commands went (for Sentinel, the master it named).
  const socket = node.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  const host = socket?.remoteAddress ?? node.options.host ?? '';
  const port = socket?.remotePort ?? node.options.port ?? 0;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const identity = <T>(value: T): T => value;

function field(info: string, name: string): string {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/**
 * Reads version, eviction policy, (on a cluster) cluster state and the
 * round-trip latency of every master, through the store's connection rules.
 *
 * @param connection - the store's connection
 * @param ctx - operation, for errors
 * @throws SessionError `unavailable` | `timeout`
 */
export async function readServerInfo(
  connection: RedisConnection,
  ctx: OpContext,
): Promise<RedisServerInfo> {
  const client = connection.client;
  const cluster =
    'nodes' in client && typeof (client as Cluster).nodes === 'function' && client.isCluster;
  // The first command waits for the connection like any operation does.
  await connection.run(ctx, () => (client as Redis).ping(), String);
  const masters: Redis[] = cluster ? (client as Cluster).nodes('master') : [client as Redis];
  const infos = await Promise.all(
    masters.map((node) =>
      connection.run(
        ctx,
        async () => {
          const server = await node.info('server');
          const memory = await node.info('memory');
          const state = cluster ? await node.cluster('INFO') : await node.info('cluster');
          const latencyMs = await pingLatencyMs(node);
          return { server, memory, state: String(state), latencyMs, address: addressOf(node) };
        },
        identity,
      ),
    ),
  );
  const redisVersions = infos.map((i) => field(i.server, 'redis_version'));
  const maxmemoryPolicies = infos.map((i) => field(i.memory, 'maxmemory_policy'));
  const warnings: string[] = [];
  infos.forEach((info, i) => {
    const where = cluster ? `master ${i + 1} of ${infos.length}` : 'the server';
    if (cluster && field(info.state, 'cluster_state') !== 'ok') {
      throw sessionError(
        'unavailable',
        ctx,
        `${where} reports cluster_state:${field(info.state, 'cluster_state') || 'unknown'}; the cluster cannot serve every slot`,
      );
    }
    if (!cluster && field(info.state, 'cluster_enabled') === '1') {
      warnings.push(
        `${where} runs in cluster mode but was opened as a standalone server: keys of slots another master serves fail with MOVED; use a redis+cluster:// URL`,
      );
    }
    const version = redisVersions[i] ?? '';
    if (!atLeast(version, 6, 2)) {
      warnings.push(
        `${where} runs Redis ${version || 'of an unknown version'}; the store is tested on 7.0 and needs 6.2 or later`,
      );
    }
    const policy = maxmemoryPolicies[i] ?? '';
    if (policy !== 'noeviction') {
      warnings.push(
        `${where} has maxmemory-policy ${policy || 'unknown'}: under memory pressure Redis may evict sessions, which then vanish like an expiry (the tenant fence still holds); sessions are data, use noeviction`,
      );
    }
  });
  const details = infos.map((info, i) =>
    Object.freeze({
      address: info.address,
      redisVersion: redisVersions[i] ?? '',
      maxmemoryPolicy: maxmemoryPolicies[i] ?? '',
      clusterState: cluster ? field(info.state, 'cluster_state') : null,
      latencyMs: info.latencyMs,
    }),
  );
  return Object.freeze({
    mode: cluster ? 'cluster' : 'standalone',
    redisVersions: Object.freeze(redisVersions),
    maxmemoryPolicies: Object.freeze(maxmemoryPolicies),
    warnings: Object.freeze(warnings),
    masters: Object.freeze(details),
  });
}
