/**
 * Runs the selected parts and writes the result files.
 *
 * @packageDocumentation
 */
import { Redis } from 'ioredis';
import { runAdminMemory, runAdminRedis } from './admin-suite.js';
import type { Printer } from './harness.js';
import { runMemoryScale } from './memory-scale.js';
import { runMemorySuite } from './memory-suite.js';
import { runOtelSuite } from './otel-suite.js';
import {
  findRedisServer,
  type RunningRedis,
  startRedis,
  startRedisCluster,
} from './redis-server.js';
import { runRedisClusterSuite, runRedisSuite } from './redis-suite.js';
import { type RunReport, type SectionResult, writeReport } from './report.js';
import { type BenchSettings, machineInfo } from './settings.js';
import { runTurnClusterSuite, runTurnSuite } from './turn-suite.js';

/** Which parts a run covers (`admin`, `otel` and `turn` run alone: they are not part of `all`). */
export type BenchPart = 'all' | 'memory' | 'redis' | 'admin' | 'otel' | 'turn';

/** Options of {@link runBenchmarks}. */
export interface RunOptions {
  readonly part: BenchPart;
  readonly settings: BenchSettings;
  /** Where `<part>.json` and `<part>.md` go. */
  readonly resultsDir: string;
  /** Where progress and mitata's report go. */
  readonly print: Printer;
  /** `null` runs as if no redis-server were installed; otherwise `findRedisServer()` (PATH or GREENTIC_REDIS_SERVER) decides. */
  readonly redisServer?: string | null;
}

/** What a run produced. */
export interface RunOutcome {
  readonly report: RunReport;
  readonly files: readonly string[];
}

const running = new Set<RunningRedis>();

/** Stops every server this process started and has not stopped yet. */
export async function stopAllServers(): Promise<void> {
  for (const server of [...running]) {
    await server.stop();
    running.delete(server);
  }
}

async function withServer<T>(
  start: Promise<RunningRedis>,
  body: (server: RunningRedis) => Promise<T>,
): Promise<T> {
  const server = await start;
  running.add(server);
  // Ctrl-C while a server runs stops it first (its PID would outlive us).
  const onSignal = () => {
    void stopAllServers().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body(server);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await server.stop();
    running.delete(server);
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new Redis(url);
  try {
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    client.disconnect();
  }
}

async function timed(
  name: string,
  body: () => Promise<SectionResult>,
  print: Printer,
): Promise<SectionResult> {
  const t0 = Date.now();
  const result = await body();
  const secs = (Date.now() - t0) / 1000;
  print(`\n[${name}: ${secs.toFixed(1)} s]`);
  return { ...result, durationSecs: secs };
}

/**
 * Runs the memory part, the Redis part, or both, and writes the report.
 * Without `redis-server` the Redis part is skipped and the report says why.
 */
export async function runBenchmarks(options: RunOptions): Promise<RunOutcome> {
  const { part, settings, print } = options;
  const started = Date.now();
  const sections: SectionResult[] = [];
  const skipped: string[] = [];
  let redisVersion: string | null = null;

  if (part === 'all' || part === 'memory') {
    sections.push(await timed('memory', () => runMemorySuite(settings, print), print));
    sections.push(await timed('memory scale', () => runMemoryScale(settings, print), print));
  }
  if (part === 'turn') {
    const bin = options.redisServer === null ? null : findRedisServer();
    if (bin === null) {
      skipped.push('the turn part: no redis-server on PATH');
      print('\nSkipped the turn part: no redis-server on PATH.');
    } else {
      await withServer(startRedis(), async (server) => {
        redisVersion = await serverVersion(server.url);
        sections.push(
          await timed('bot turn', () => runTurnSuite(server.url, settings, print), print),
        );
      });
      await withServer(startRedisCluster(), async (cluster) => {
        print(`\n3-master cluster on ports ${cluster.ports.join(', ')}`);
        sections.push(
          await timed(
            'bot turn cluster',
            () => runTurnClusterSuite(cluster.ports, settings, print),
            print,
          ),
        );
      });
    }
  }
  if (part === 'all' || part === 'redis') {
    const bin = options.redisServer === null ? null : findRedisServer();
    if (bin === null) {
      const why =
        'the Redis part: no redis-server on PATH (install redis-server ≥ 6.2, e.g. `apt-get install redis-server`, or set GREENTIC_REDIS_SERVER to its path)';
      skipped.push(why);
      print(`\nSkipped ${why}.`);
    } else {
      await withServer(startRedis(), async (server) => {
        redisVersion = await serverVersion(server.url);
        print(`\nredis-server ${redisVersion} on ${server.url} (private, stopped after the run)`);
        const target = { kind: 'standalone', url: server.url, ports: server.ports } as const;
        sections.push(await timed('redis', () => runRedisSuite(target, settings, print), print));
      });
      await withServer(startRedisCluster(), async (cluster) => {
        print(`\n3-master cluster on ports ${cluster.ports.join(', ')}`);
        const target = { kind: 'cluster', url: cluster.url, ports: cluster.ports } as const;
        sections.push(
          await timed('redis cluster', () => runRedisClusterSuite(target, settings, print), print),
        );
      });
    }
  }

  if (part === 'admin') {
    sections.push(await timed('admin memory', () => runAdminMemory(settings, print), print));
    const bin = options.redisServer === null ? null : findRedisServer();
    if (bin === null) {
      skipped.push('the Redis sections of the admin part: no redis-server on PATH');
    } else {
      await withServer(startRedis(), async (server) => {
        redisVersion = await serverVersion(server.url);
        const target = { kind: 'standalone', url: server.url, ports: server.ports } as const;
        sections.push(
          await timed('admin redis', () => runAdminRedis(target, settings, print), print),
        );
      });
      await withServer(startRedisCluster(), async (cluster) => {
        const target = { kind: 'cluster', url: cluster.url, ports: cluster.ports } as const;
        sections.push(
          await timed('admin redis cluster', () => runAdminRedis(target, settings, print), print),
        );
      });
    }
  }

  if (part === 'otel') {
    if ((options.redisServer === null ? null : findRedisServer()) === null) {
      skipped.push('the Redis half of the otel part: no redis-server on PATH');
      sections.push(...(await runOtelSuite(settings, print, null)));
    } else {
      await withServer(startRedis(), async (server) => {
        redisVersion = await serverVersion(server.url);
        sections.push(...(await runOtelSuite(settings, print, server.url)));
      });
    }
  }

  const report: RunReport = {
    part,
    date: new Date(started).toISOString(),
    smoke: settings.smoke,
    machine: machineInfo(),
    redisVersion,
    settings,
    durationSecs: (Date.now() - started) / 1000,
    skipped,
    sections,
  };
  const files = await writeReport(report, options.resultsDir);
  return { report, files };
}
