import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedisServer } from '@greentic/redis-test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBenchmarks, stopAllServers } from '../src/run.ts';
import { SMOKE_SETTINGS } from '../src/settings.ts';

// Proves the otel part runs end to end with tiny iteration counts; the
// numbers of a smoke run mean nothing, so nothing asserts on timings.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'greentic-bench-otel-'));
});
afterAll(async () => {
  await stopAllServers();
  await rm(dir, { recursive: true, force: true });
});

describe('benchmarks smoke run: otel part', () => {
  it('measures every operation on memory and Redis in the three configurations and writes otel.md and otel.json', async () => {
    const { report, files } = await runBenchmarks({
      part: 'otel',
      settings: SMOKE_SETTINGS,
      resultsDir: dir,
      print: () => {},
      redisServer: await ensureRedisServer(),
    });
    expect(report.sections.map((s) => s.name)).toEqual([
      'OpenTelemetry overhead: memory',
      'OpenTelemetry overhead: redis',
    ]);
    const names = report.sections.flatMap((s) => s.measurements.map((m) => m.name));
    for (const backend of ['memory', 'redis']) {
      for (const op of ['get', 'put', 'updateCas', 'touch', 'delete', 'mutate']) {
        for (const mode of ['telemetry off', 'no provider', 'SDK']) {
          expect(names).toContain(`${backend} ${op} · ${mode}`);
        }
      }
    }
    const ratios = report.sections.flatMap((s) => s.ratios);
    // 6 operations × 2 configurations × 2 backends, and the raw GET reference.
    expect(ratios).toHaveLength(25);
    expect(report.sections.flatMap((s) => s.targets.map((t) => t.target))).toEqual([
      'memory, no provider: each operation costs ≤ 3 % more than telemetry off',
      'redis, no provider: each operation costs ≤ 3 % more than telemetry off',
      'redis, SDK: each operation costs ≤ 15 % more than telemetry off',
    ]);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(['otel.json', 'otel.md']);
    const md = await readFile(join(dir, 'otel.md'), 'utf8');
    expect(md).toContain('cost of each operation against telemetry off');
  });
});
