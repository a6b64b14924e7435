/**
 * Run settings (full or smoke), the machine description every result file
 * carries, and a garbage-collection hook for heap measurements.
 *
 * @packageDocumentation
 */
import { cpus, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How long and how large a run is. */
export interface BenchSettings {
  /** Tiny iteration counts: proves the suites run, measures nothing. */
  readonly smoke: boolean;
  /** Distinct session keys visited round-robin. */
  readonly keys: number;
  /** Interleaved rounds per group; each benchmark reports its median round. */
  readonly rounds: number;
  /** CPU time mitata spends on one benchmark in one round, in nanoseconds. */
  readonly minCpuTimeNs: number;
  /**
   * How long each benchmark runs untimed after the full collection that
   * precedes its measurement, in milliseconds (at least one call). That
   * collection throws away optimized code: the calls right after it run up
   * to twice as slow while V8 compiles it again, which no running service sees.
   */
  readonly settleMs: number;
  /** Fewest samples per benchmark. */
  readonly minSamples: number;
  /** Most samples per benchmark. */
  readonly maxSamples: number;
  /** Operations in flight at once for throughput benchmarks. */
  readonly concurrency: number;
  /** Live-session counts of the memory scale section. */
  readonly scaleSizes: readonly number[];
  /** Longest a scale population phase may take before it stops early, in ms. */
  readonly scaleBudgetMs: number;
  /** Operations timed one by one in each scale measurement. */
  readonly scaleOps: number;
  /** Sessions whose memory Redis reports, per case. */
  readonly redisMemorySamples: number;
}

/** Settings of a full run (`pnpm bench`). */
export const FULL_SETTINGS: BenchSettings = {
  smoke: false,
  keys: 10_000,
  rounds: 3,
  minCpuTimeNs: 300e6,
  settleMs: 300,
  minSamples: 12,
  maxSamples: 1e9,
  concurrency: 64,
  scaleSizes: [10_000, 100_000, 1_000_000],
  scaleBudgetMs: 40_000,
  scaleOps: 200_000,
  redisMemorySamples: 1_000,
};

/** Settings of a smoke run (`BENCH_SMOKE=1`): every code path, tiny counts. */
export const SMOKE_SETTINGS: BenchSettings = {
  smoke: true,
  keys: 200,
  rounds: 1,
  minCpuTimeNs: 1e6,
  settleMs: 0,
  minSamples: 2,
  maxSamples: 6,
  concurrency: 8,
  scaleSizes: [1_000, 2_000],
  scaleBudgetMs: 30_000,
  scaleOps: 2_000,
  redisMemorySamples: 20,
};

/** Settings chosen by the environment: `BENCH_SMOKE=1` (or `true`) selects the smoke run. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const smoke = env.BENCH_SMOKE === '1' || env.BENCH_SMOKE === 'true';
  return smoke ? SMOKE_SETTINGS : FULL_SETTINGS;
}

/** The machine a run measured, written into every result file. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
  };
}

/**
 * A full garbage collection. Uses `global.gc` under `node --expose-gc` and
 * otherwise turns the flag on at run time (vitest workers start without it).
 */
export const collectGarbage: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
