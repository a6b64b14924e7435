/**
 * One harness for ours and theirs: every benchmark is a mitata bench measured
 * with the same options, printed with mitata's bar plots and summaries, and
 * recorded as a {@link Measurement} for the result files.
 *
 * mitata's `bench()` takes no per-bench options (CPU budget, batching), so
 * each registered bench gets a `run` that calls mitata's own `measure()` with
 * ours; its printer and summaries then work on those stats unchanged.
 *
 * @packageDocumentation
 */
import { barplot, bench, measure, run, summary } from 'mitata';
import { type BenchSettings, collectGarbage } from './settings.js';

/** One benchmark: a single operation, run one at a time or `concurrency` at once. */
export interface BenchSpec {
  /** Name shown by mitata and used in result rows; unique within a section. */
  readonly name: string;
  /** Label of the implementation (`ours`, `raw ioredis`, `botbuilder`...), for ratio rows. */
  readonly impl: string;
  /** Operation name (`get`, `put`...), for ratio rows. */
  readonly op: string;
  /** Runs one operation. Receives what `setup` returned, when there is a setup. */
  readonly fn: (arg: never) => unknown;
  /** Untimed preparation before each operation (for example, recreating what `delete` removes). */
  readonly setup?: () => unknown;
  /**
   * Operations in flight at once. Above 1, one sample is `Promise.all` of
   * that many operations, and the recorded times are divided by it: time per
   * operation at that concurrency, the inverse of throughput.
   * @default 1
   */
  readonly concurrency?: number;
  /** Time every call on its own (no batching), so p50/p99 are per-operation latencies. */
  readonly perOpSamples?: boolean;
  /** Marks mitata's baseline of the summary. */
  readonly baseline?: boolean;
  /**
   * Most samples, when each sample needs an expensive untimed `setup` (a
   * 27 KB put before a 1 µs delete): the CPU budget counts only timed work.
   */
  readonly maxSamples?: number;
}

/** What one benchmark measured; times in nanoseconds per operation. */
export interface Measurement {
  readonly section: string;
  readonly group: string;
  readonly name: string;
  readonly impl: string;
  readonly op: string;
  readonly concurrency: number;
  readonly avgNs: number;
  readonly p50Ns: number;
  readonly p99Ns: number;
  readonly minNs: number;
  readonly maxNs: number;
  /** Operations per second: `1e9 / avgNs`. */
  readonly opsPerSec: number;
  /** Number of samples behind the percentiles. */
  readonly samples: number;
  /** True when every sample was one call (p50/p99 are latencies, not batch means). */
  readonly perOpSamples: boolean;
  /** Mean time per operation of each round; the recorded stats are those of the median round. */
  readonly roundsAvgNs: readonly number[];
  /** Wall time the benchmark took over all rounds, warm-ups included, in milliseconds. */
  readonly wallMs: number;
}

/** A titled set of benchmarks shown as one bar plot and summary. */
export interface BenchGroup {
  readonly title: string;
  readonly specs: readonly BenchSpec[];
}

/** Where mitata prints; `console.log` on the command line, a collector in tests. */
export type Printer = (line: string) => void;

interface Stats {
  samples: number[];
  min: number;
  max: number;
  avg: number;
  p25: number;
  p50: number;
  p75: number;
  p99: number;
  p999: number;
  ticks: number;
  kind: string;
  debug: string;
}

function perOperation(stats: Stats, concurrency: number): Stats {
  const d = (v: number) => v / concurrency;
  return {
    ...stats,
    samples: stats.samples.map(d),
    min: d(stats.min),
    max: d(stats.max),
    avg: d(stats.avg),
    p25: d(stats.p25),
    p50: d(stats.p50),
    p75: d(stats.p75),
    p99: d(stats.p99),
    p999: d(stats.p999),
  };
}

/**
 * Runs a benchmark untimed, `concurrency` calls at a time (each after its
 * `setup`, as mitata does), at least once and until `ms` have passed.
 */
async function settle(spec: BenchSpec, concurrency: number, ms: number): Promise<void> {
  const fn = spec.fn as (arg?: unknown) => unknown;
  const setup = spec.setup;
  const call = setup === undefined ? () => fn() : async () => fn(await setup());
  const end = performance.now() + ms;
  do {
    await Promise.all(Array.from({ length: concurrency }, call));
  } while (performance.now() < end);
}

/** Calls per iteration of mitata's batched loop (its default). */
const BATCH_UNROLL = 4;

async function measureSpec(spec: BenchSpec, settings: BenchSettings): Promise<Stats> {
  const concurrency = spec.concurrency ?? 1;
  // A full collection first, so no benchmark pays for the garbage of the one
  // before it. That collection also throws away optimized code: for a few
  // thousand calls after it a grammY turn ran about twice as slow while V8
  // optimized 50 to 100 functions again (6 or 7 without the collection), and
  // mitata's few-hundred-millisecond window fell mostly in that stretch. So
  // the operation runs untimed for `settleMs`, and mitata times it without
  // collecting again.
  collectGarbage();
  await settle(spec, concurrency, settings.settleMs);
  const options = {
    gc: false,
    min_cpu_time: settings.minCpuTimeNs,
    min_samples: settings.minSamples,
    max_samples: Math.min(settings.maxSamples, spec.maxSamples ?? Number.POSITIVE_INFINITY),
    warmup_samples: settings.smoke ? 1 : 2,
    concurrency,
    // A batched sample is `batch_samples` iterations of `concurrency` calls
    // each: scaled so that it is about 4096 calls at any concurrency (mitata's
    // 4096 iterations of 64 calls each would take seconds per sample).
    batch_samples: Math.max(
      BATCH_UNROLL,
      Math.round(4096 / concurrency / BATCH_UNROLL) * BATCH_UNROLL,
    ),
    batch_unroll: BATCH_UNROLL,
    // batch_threshold 0 turns batching off: one call per sample.
    ...(spec.perOpSamples === true ? { batch_threshold: 0 } : {}),
  };
  const fn = spec.fn as (arg?: unknown) => unknown;
  const setup = spec.setup;
  const stats = (setup === undefined
    ? await measure(() => fn(), options)
    : await measure(function* () {
        yield { 0: setup, bench: (arg: unknown) => fn(arg) };
      }, options)) as unknown as Stats;
  return concurrency > 1 ? perOperation(stats, concurrency) : stats;
}

/** One measurement of one benchmark in one round. */
interface Round {
  readonly stats: Stats;
  readonly wallMs: number;
}

/**
 * Measures every benchmark of a group `settings.rounds` times, alternating
 * the order each round: on a shared machine the load drifts within seconds,
 * and interleaving spreads the drift over every benchmark of the group.
 */
async function measureRounds(
  specs: readonly BenchSpec[],
  settings: BenchSettings,
): Promise<Map<BenchSpec, Round[]>> {
  const out = new Map<BenchSpec, Round[]>(specs.map((s) => [s, []]));
  for (let r = 0; r < settings.rounds; r++) {
    const order = r % 2 === 0 ? specs : [...specs].reverse();
    for (const spec of order) {
      const t0 = Date.now();
      const stats = await measureSpec(spec, settings);
      out.get(spec)?.push({ stats, wallMs: Date.now() - t0 });
    }
  }
  return out;
}

/** The round with the median mean time (its stats are shown and recorded whole). */
function medianRound(rounds: readonly Round[]): Round {
  const sorted = [...rounds].sort((a, b) => a.stats.avg - b.stats.avg);
  return sorted[(sorted.length - 1) >> 1] as Round;
}

/**
 * Runs groups of benchmarks through mitata (bar plot + summary per group)
 * and returns what each measured.
 *
 * @param section - section name recorded in each measurement
 * @param groups - the groups, run in order
 * @param settings - run size
 * @param print - where mitata's report goes
 */
export async function runGroups(
  section: string,
  groups: readonly BenchGroup[],
  settings: BenchSettings,
  print: Printer,
): Promise<Measurement[]> {
  const measured: Measurement[] = [];
  for (const g of groups) {
    let rounds: Promise<Map<BenchSpec, Round[]>> | undefined;
    barplot(() => {
      summary(() => {
        for (const spec of g.specs) {
          const b = bench(spec.name, () => undefined);
          if (spec.baseline === true) b.baseline(true);
          const trial = b as unknown as { run: (thrw?: boolean) => Promise<unknown> };
          trial.run = async (thrw = false) => {
            let stats: Stats | undefined;
            let error: unknown;
            try {
              // The first trial of a group measures the whole group, interleaved.
              rounds ??= measureRounds(g.specs, settings);
              const mine = (await rounds).get(spec) as Round[];
              const median = medianRound(mine);
              stats = median.stats;
              measured.push(toMeasurement(section, g.title, spec, median, mine));
            } catch (err) {
              error = err;
              if (thrw) throw err;
            }
            return {
              kind: 'static',
              args: {},
              alias: spec.name,
              baseline: spec.baseline === true,
              runs: [{ stats, error, args: {}, name: spec.name }],
              style: { highlight: false, compact: false },
            };
          };
        }
      });
    });
  }
  print(`\n### ${section}: ${groups.map((g) => g.title).join(' | ')}`);
  await run({ format: 'mitata', print, throw: true, colors: colorsWanted() });
  return measured;
}

function colorsWanted(): boolean {
  if (process.env.NO_COLOR !== undefined) return false;
  return process.env.FORCE_COLOR !== undefined || process.stdout.isTTY === true;
}

function toMeasurement(
  section: string,
  group: string,
  spec: BenchSpec,
  median: Round,
  rounds: readonly Round[],
): Measurement {
  const s = median.stats;
  return {
    section,
    group,
    name: spec.name,
    impl: spec.impl,
    op: spec.op,
    concurrency: spec.concurrency ?? 1,
    avgNs: s.avg,
    p50Ns: s.p50,
    p99Ns: s.p99,
    minNs: s.min,
    maxNs: s.max,
    opsPerSec: 1e9 / s.avg,
    samples: s.samples.length,
    perOpSamples: spec.perOpSamples === true,
    roundsAvgNs: rounds.map((r) => r.stats.avg),
    wallMs: rounds.reduce((sum, r) => sum + r.wallMs, 0),
  };
}
