/**
 * The server a Redis benchmark runs against and the ioredis clients every
 * subject shares.
 *
 * @packageDocumentation
 */
import { Cluster, Redis } from 'ioredis';

/** A server (or cluster) to benchmark against. */
export interface RedisTarget {
  readonly kind: 'standalone' | 'cluster';
  readonly url: string;
  readonly ports: readonly number[];
}

/** The ioredis client every subject of one setting shares. */
export type Client = Redis | Cluster;

/** Expiry every subject writes with, in seconds. */
export const TTL_SECS = 3600;

/** Keeps connection errors out of the report: a failed command rejects and fails the run anyway. */
export function quiet<T extends Client>(client: T): T {
  client.on('error', () => undefined);
  return client;
}

/**
 * Opens the client of one auto-pipelining mode.
 *
 * @param target - server or cluster
 * @param pipelining - ioredis `enableAutoPipelining`
 */
export function openClient(target: RedisTarget, pipelining: boolean): Client {
  if (target.kind === 'cluster') {
    return quiet(
      new Cluster(
        target.ports.map((port) => ({ host: '127.0.0.1', port })),
        { enableAutoPipelining: pipelining },
      ),
    );
  }
  const url = new URL(target.url);
  return quiet(
    new Redis({
      host: url.hostname,
      port: Number(url.port),
      enableAutoPipelining: pipelining,
    }),
  );
}
