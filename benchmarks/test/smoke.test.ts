import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedisServer } from '@greentic/redis-test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report.ts';
import { runBenchmarks, stopAllServers } from '../src/run.ts';
import { SMOKE_SETTINGS } from '../src/settings.ts';

// Proves every suite runs end to end with tiny iteration counts. The numbers
// of a smoke run mean nothing, so nothing here asserts on timings.

let dir: string;
const lines: string[] = [];
const print = (line: string) => {
  lines.push(line);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'greentic-bench-test-'));
});

afterAll(async () => {
  await stopAllServers();
  await rm(dir, { recursive: true, force: true });
});

function measuredNames(report: RunReport): string[] {
  return report.sections.flatMap((s) => s.measurements.map((m) => m.name));
}

describe('benchmarks smoke run', () => {
  it('memory part measures ours and every in-process baseline and writes both result files', async () => {
    const { report, files } = await runBenchmarks({
      part: 'memory',
      settings: SMOKE_SETTINGS,
      resultsDir: dir,
      print,
    });
    const names = measuredNames(report);
    for (const op of [
      'get',
      'put',
      'updateCas',
      'put (plain)',
      'updateCas (plain)',
      'touch',
      'delete',
      'mutate',
    ]) {
      expect(names).toContain(`ours ${op} [typical]`);
      expect(names).toContain(`ours ${op} [large]`);
    }
    for (const base of [
      'Map get',
      'Map async get',
      'Map get+JSON.parse',
      'Map JSON.stringify+set',
      'botbuilder read',
      'botbuilder write',
      'botbuilder eTag write',
      'botbuilder read+eTag write',
      'grammY read',
      'grammY write',
    ]) {
      expect(names).toContain(`${base} [typical]`);
    }
    for (const m of report.sections.flatMap((s) => s.measurements)) {
      expect(Number.isFinite(m.avgNs) && m.avgNs > 0, m.name).toBe(true);
    }
    expect(report.sections.map((s) => s.name)).toEqual([
      'In-memory backend',
      'In-memory backend at scale',
    ]);
    expect(report.sections[1]?.tables[0]?.rows).toHaveLength(SMOKE_SETTINGS.scaleSizes.length);
    expect(lines.join('\n')).toContain('summary');
    const json = JSON.parse(await readFile(files[0] as string, 'utf8')) as RunReport;
    expect(json.part).toBe('memory');
    expect(json.smoke).toBe(true);
    expect(json.machine.cores).toBeGreaterThan(0);
    const md = await readFile(files[1] as string, 'utf8');
    expect(md).toContain('| memory get costs ≤ 5× raw Map.get |');
  });

  it('redis part measures ours, raw ioredis and the peers on a private server and a cluster', async () => {
    const { report } = await runBenchmarks({
      part: 'redis',
      settings: SMOKE_SETTINGS,
      resultsDir: dir,
      print,
      // Installs redis-server when missing (as the Redis package's tests do), or
      // fails with one instruction: the Redis part is run, never skipped.
      redisServer: await ensureRedisServer(),
    });
    expect(report.redisVersion).toMatch(/^\d+\.\d+/);
    const names = measuredNames(report);
    const c = SMOKE_SETTINGS.concurrency;
    for (const setting of ['typical c1 ap-off', `typical c${c} ap-on`, 'large c1 ap-off']) {
      for (const op of ['get', 'get (fenced)', 'put', 'updateCas', 'touch', 'delete', 'mutate']) {
        expect(names).toContain(`ours ${op} [${setting}]`);
      }
      for (const op of ['GET', 'GET+JSON.parse', 'SET EX', 'CAS script'])
        expect(names).toContain(`raw ${op} [${setting}]`);
    }
    for (const peer of ['connect-redis get', 'connect-redis set', 'grammY read', 'keyv set']) {
      expect(names).toContain(`${peer} [typical c1 ap-off]`);
    }
    expect(names).toContain(`ours get [typical c${c} ap-on cluster]`);
    const commands = report.sections[0]?.tables.find((t) => t.title.startsWith('Commands'));
    expect(commands?.rows.map((r) => r[0])).toEqual([
      'put',
      'get',
      'get (fenced)',
      'updateCas',
      'touch',
      'delete',
    ]);
    // Every target of the issue is judged (met or missed), none left unmeasured.
    const targets = report.sections.flatMap((s) => s.targets);
    for (const t of [
      `redis get ≥ 0.9× raw GET+JSON.parse, c1`,
      `redis get (fenced) ≥ 0.9× raw GET+JSON.parse, c${c}`,
      `redis get ≥ 1.0× connect-redis get, c${c}`,
      `redis put ≥ 1.2× raw CAS script, c${c}`,
      `redis updateCas ≥ 0.7× connect-redis set, c${c}`,
      `auto-pipelining on keeps redis get ÷ raw GET+JSON.parse, c1 ≥ 0.9× its value with it off`,
      'redis memory per session ≤ 1.2× the session JSON',
    ]) {
      const row = targets.find((r) => r.target === t);
      expect(row, t).toBeDefined();
      expect(typeof row?.pass, t).toBe('boolean');
      expect(Number.isFinite(row?.ratio), t).toBe(true);
    }
    const memory = report.sections[0]?.tables.find((t) => t.title.startsWith('Redis memory'));
    expect(memory?.rows[1]?.[0]).toMatch(/^ours: every key under the store's namespace/);
  });

  it('turn part measures the turn middleware and grammY session() on memory and Redis', async () => {
    await ensureRedisServer();
    const { report } = await runBenchmarks({
      part: 'turn',
      settings: SMOKE_SETTINGS,
      resultsDir: dir,
      print,
    });
    const c = SMOKE_SETTINGS.concurrency;
    const names = measuredNames(report);
    for (const backend of ['memory', 'Redis']) {
      for (const conc of [1, c]) {
        expect(names).toContain(`turn [${backend} · c${conc}]`);
        expect(names).toContain(`session() [${backend} · c${conc}]`);
      }
    }
    // The plain plugin on an auto-pipelining client, at the high concurrency on Redis only.
    expect(names).toContain(`session() + auto-pipelining [Redis · c${c}]`);
    expect(
      names.filter((n) => n.includes('auto-pipelining') && !n.includes('Redis Cluster')),
    ).toHaveLength(1);
    expect(report.sections[0]?.ratios).toHaveLength(5);
    const target = report.sections[0]?.targets[0];
    expect(target?.comparison).toBe('≤');
    // The target is the median of the per-round time ratios, turn ÷ session().
    const find = (n: string) => report.sections[0]?.measurements.find((m) => m.name === n);
    const ours = find(`turn [Redis · c${c}]`);
    const base = find(`session() [Redis · c${c}]`);
    const perRound = (ours?.roundsAvgNs ?? []).map(
      (t, i) => t / (base?.roundsAvgNs[i] ?? Number.NaN),
    );
    expect(perRound.length).toBeGreaterThan(0);
    const sorted = [...perRound].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const expected =
      sorted.length % 2 === 1
        ? (sorted[mid] as number)
        : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
    expect(target?.ratio).toBeCloseTo(expected, 10);
    expect(report.sections[0]?.notes.join('\n')).toContain('time per update in each round');
    // The cluster section: the turn coalesced and auto-pipelined against session().
    const cluster = report.sections[1];
    expect(cluster?.name).toBe('Bot turn (3-master cluster)');
    for (const conc of [1, c]) {
      for (const impl of ['turn', 'turn + auto-pipelining', 'session()']) {
        expect(names).toContain(`${impl} [Redis Cluster · c${conc}]`);
      }
    }
    expect(cluster?.ratios).toHaveLength(4);
    const inCluster = (n: string) => cluster?.measurements.find((m) => m.name === n);
    const setting = `Redis Cluster · c${c}`;
    const turnRounds = inCluster(`turn [${setting}]`)?.roundsAvgNs ?? [];
    const plainRounds = inCluster(`session() [${setting}]`)?.roundsAvgNs ?? [];
    const row = cluster?.ratios.find((r) => r.setting === setting && r.ours.startsWith('turn ['));
    // One smoke round: the paired ratio is that round's throughput ratio.
    expect(turnRounds).toHaveLength(1);
    expect(row?.ratio).toBeCloseTo((plainRounds[0] as number) / (turnRounds[0] as number), 10);
  }, 240_000);

  it('a missing redis-server skips the redis part with the reason in the report', async () => {
    const { report, files } = await runBenchmarks({
      part: 'redis',
      settings: SMOKE_SETTINGS,
      resultsDir: dir,
      print,
      redisServer: null,
    });
    expect(report.sections).toEqual([]);
    expect(report.skipped[0]).toContain('no redis-server');
    expect(await readFile(files[1] as string, 'utf8')).toContain('> Skipped: the Redis part');
  });
});
