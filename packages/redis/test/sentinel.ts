/** A private master, replica and sentinel on loopback, for the Sentinel tests. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findRedisServer,
  freePort,
  type RedisServerHandle,
  startRedisServer,
  stopRedisServers,
} from '@greentic/redis-test-server';
import { Redis } from 'ioredis';
import { sleep } from './helpers.js';

/** What {@link startSentinelSetup} started. */
export interface SentinelSetup {
  readonly master: RedisServerHandle;
  readonly replica: RedisServerHandle;
  readonly sentinel: RedisServerHandle;
  readonly masterName: string;
  stop(): Promise<void>;
}

async function until(check: () => Promise<boolean>, what: string, tries = 400): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check().catch(() => false)) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts a master, a replica of it, and one sentinel (quorum 1) monitoring it. */
export async function startSentinelSetup(masterName = 'mymaster'): Promise<SentinelSetup> {
  const master = await startRedisServer();
  const replica = await startRedisServer(undefined, undefined, [
    '--replicaof',
    '127.0.0.1',
    String(master.port),
  ]);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'greentic-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'daemonize yes',
      `pidfile ${join(dir, 'redis.pid')}`,
      `logfile ${join(dir, 'redis.log')}`,
      `dir ${dir}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      `sentinel failover-timeout ${masterName} 3000`,
      '',
    ].join('\n'),
  );
  const r = spawnSync(findRedisServer() ?? 'redis-server', [conf, '--sentinel'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`redis-sentinel failed to start: ${r.stderr}${r.stdout}`);
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  await until(async () => {
    const replicas = (await probe.call('SENTINEL', 'REPLICAS', masterName)) as unknown[];
    return replicas.length === 1;
  }, 'the sentinel to see the replica');
  probe.disconnect();
  const { readFileSync } = await import('node:fs');
  const pid = Number(readFileSync(join(dir, 'redis.pid'), 'utf8').trim());
  const sentinel: RedisServerHandle = { port, pid, dir };
  return {
    master,
    replica,
    sentinel,
    masterName,
    stop: () => stopRedisServers([sentinel, replica, master], 'SIGKILL'),
  };
}

/** Asks the sentinel to fail over now and waits until it names the other server. */
export async function failover(setup: SentinelSetup): Promise<number> {
  const sentinel = new Redis({ port: setup.sentinel.port, host: '127.0.0.1' });
  try {
    // Until the sentinel has refreshed the replica's INFO (it does so every
    // few seconds) it answers NOGOODSLAVE: ask again until it accepts.
    await until(
      async () => {
        try {
          await sentinel.call('SENTINEL', 'FAILOVER', setup.masterName);
          return true;
        } catch (err) {
          if (String((err as Error).message).startsWith('NOGOODSLAVE')) return false;
          throw err;
        }
      },
      'the sentinel to accept a failover',
      1200,
    );
    let port = setup.master.port;
    await until(async () => {
      const addr = (await sentinel.call(
        'SENTINEL',
        'GET-MASTER-ADDR-BY-NAME',
        setup.masterName,
      )) as string[];
      port = Number(addr[1]);
      return port === setup.replica.port;
    }, 'the failover');
    return port;
  } finally {
    sentinel.disconnect();
  }
}
