/**
 * Private Redis servers for the benchmarks, on top of the helpers the test
 * suites use (`@greentic/redis-test-server`): one standalone
 * server or a 3-master cluster on loopback, stopped by PID.
 */
import {
  findRedisServer,
  type RedisServerHandle,
  startRedisCluster as startClusterNodes,
  startRedisServer,
  stopRedisServers,
} from '@greentic/redis-test-server';

export { findRedisServer };

/** A started server (or cluster) and how to stop it. */
export interface RunningRedis {
  /** `redis://127.0.0.1:<port>` of the (first) node. */
  readonly url: string;
  /** Ports of every node. */
  readonly ports: readonly number[];
  /** Stops every node by PID and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

function running(nodes: readonly RedisServerHandle[]): RunningRedis {
  let stopped: Promise<void> | undefined;
  const ports = nodes.map((n) => n.port);
  return {
    url: `redis://127.0.0.1:${ports[0]}`,
    ports,
    stop: () => {
      stopped ??= stopRedisServers(nodes);
      return stopped;
    },
  };
}

/** Starts a standalone server on a free loopback port. */
export async function startRedis(): Promise<RunningRedis> {
  return running([await startRedisServer()]);
}

/** Starts a 3-master cluster (no replicas) on free loopback ports. */
export async function startRedisCluster(): Promise<RunningRedis> {
  return running(await startClusterNodes());
}
