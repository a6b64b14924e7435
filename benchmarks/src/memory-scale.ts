/**
 * The in-memory backend at scale: cost per operation, p99 and heap bytes per
 * session with 10k, 100k and 1M live sessions, and get latency while a mass
 * of expired sessions is swept (the crate scans every session at most once a
 * minute; we must never pause for a full scan).
 *
 * @packageDocumentation
 */
import { performance } from 'node:perf_hooks';
import { InMemorySessionStore } from '@greentic/session-memory';
import type { Session, SessionSnapshot } from '@greentic/session-types';
import { buildSession } from './fixtures.js';
import type { Printer } from './harness.js';
import { formatNs, type SectionResult, type Table, type TargetRow } from './report.js';
import { type BenchSettings, collectGarbage } from './settings.js';

/** Latency summary of individually timed operations, in ns. */
interface Latencies {
  readonly avgNs: number;
  readonly p50Ns: number;
  readonly p99Ns: number;
  readonly maxNs: number;
  readonly count: number;
}

function summarize(samples: Float64Array): Latencies {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    avgNs: sum / sorted.length,
    p50Ns: at(0.5),
    p99Ns: at(0.99),
    maxNs: sorted[sorted.length - 1] ?? 0,
    count: sorted.length,
  };
}

/** Deterministic pseudo-random indexes in [0, n): a full-period LCG. */
function randomIndexes(n: number): () => number {
  let x = 12345;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % n;
  };
}

/** Times `count` awaited calls one by one (each sample includes one `performance.now()` pair). */
async function timeEach(count: number, op: () => Promise<unknown>): Promise<Float64Array> {
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await op();
    samples[i] = (performance.now() - t0) * 1e6;
  }
  return samples;
}

/** Mean ns per call of `count` awaited calls timed as one block. */
async function timeBlock(count: number, op: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await op();
  return ((performance.now() - t0) * 1e6) / count;
}

function heapUsed(): number {
  for (let i = 0; i < 4; i++) collectGarbage();
  return process.memoryUsage().heapUsed;
}

/**
 * A session for key `key` as it arrives from the wire: a fresh plain object
 * parsed from JSON, sharing nothing with other sessions (a frozen template
 * would let the store share its validated parts and flatter the heap figure).
 */
function sessionFor(templateJson: string, key: string, ttlSecs: number): Session {
  const session = JSON.parse(templateJson) as Session;
  session.key = key;
  session.ttlSecs = ttlSecs;
  return session;
}

interface ScaleRow {
  readonly requested: number;
  readonly live: number;
  readonly population: Population;
  readonly get: Latencies;
  readonly updateCasNs: number;
  readonly heapBytesPerSession: number;
  readonly expired: number;
  readonly sweep: Latencies;
  readonly sweepOps: number;
}

/** How a population phase went. */
interface Population {
  /** Sessions written (fewer than asked when the time budget ran out). */
  readonly written: number;
  /** Mean put time over the whole phase, ns (input building excluded). */
  readonly putNs: number;
  /** Mean put time over the first and the last tenth written, ns. */
  readonly firstTenthNs: number;
  readonly lastTenthNs: number;
  readonly aborted: boolean;
}

/**
 * Puts `count` sessions, stopping early when `budgetMs` runs out so a
 * pathological slowdown shows up in the report instead of hanging the run.
 */
async function populate(
  store: InMemorySessionStore,
  count: number,
  input: (i: number) => Session,
  budgetMs: number,
): Promise<Population> {
  const tenth = Math.max(1, Math.floor(count / 10));
  const chunks: number[] = [];
  let chunk = 0;
  let total = 0;
  const started = performance.now();
  let i = 0;
  for (; i < count; i++) {
    const session = input(i);
    const t0 = performance.now();
    await store.put(session);
    const dt = performance.now() - t0;
    total += dt;
    chunk += dt;
    if ((i + 1) % tenth === 0) {
      chunks.push(chunk / tenth);
      chunk = 0;
      if (performance.now() - started > budgetMs && i + 1 < count) {
        i++;
        break;
      }
    }
  }
  return {
    written: i,
    putNs: (total * 1e6) / Math.max(1, i),
    firstTenthNs: (chunks[0] ?? 0) * 1e6,
    lastTenthNs: (chunks[chunks.length - 1] ?? 0) * 1e6,
    aborted: i < count,
  };
}

async function measureSize(
  requested: number,
  settings: BenchSettings,
  templateJson: string,
): Promise<ScaleRow> {
  let clock = Date.UTC(2026, 0, 1);
  const store = new InMemorySessionStore({ now: () => clock });
  const before = heapUsed();
  const keys: string[] = new Array(requested);
  for (let i = 0; i < requested; i++) keys[i] = `live-${i.toString(16).padStart(59, '0')}`;
  const population = await populate(
    store,
    requested,
    (i) => sessionFor(templateJson, keys[i] as string, 3600),
    settings.scaleBudgetMs,
  );
  const live = population.written;
  keys.length = live;
  const heapBytesPerSession = (heapUsed() - before) / live;

  const ops = Math.min(settings.scaleOps, live * 4);
  const pick = randomIndexes(live);
  await timeBlock(Math.min(ops, 10_000), () => store.get(keys[pick()] as string));
  const get = summarize(await timeEach(ops, () => store.get(keys[pick()] as string)));
  const current = await store.get(keys[0] as string);
  let cas = current?.cas ?? 1;
  const session = current?.session as SessionSnapshot;
  const updateCasNs = await timeBlock(Math.min(ops, 50_000), async () => {
    const r = await store.updateCas(session, cas);
    if (!r.ok) throw new Error(`updateCas conflict: ${r.reason}`);
    cas = r.cas;
  });

  // Half as many again, written to expire together: every call now evicts a
  // bounded batch until they are gone.
  const dead = await populate(
    store,
    Math.floor(live / 2),
    (i) => sessionFor(templateJson, `dead-${i.toString(16).padStart(59, '0')}`, 60),
    settings.scaleBudgetMs,
  );
  clock += 120_000;
  const samples: number[] = [];
  let sweepOps = 0;
  while (store.size > live) {
    const t = performance.now();
    await store.get(keys[pick()] as string);
    samples.push((performance.now() - t) * 1e6);
    sweepOps++;
  }
  const sweep = summarize(Float64Array.from(samples));
  await store.close();
  return {
    requested,
    live,
    population,
    get,
    updateCasNs,
    heapBytesPerSession,
    expired: dead.written,
    sweep,
    sweepOps,
  };
}

/** Runs the memory scale section. */
export async function runMemoryScale(
  settings: BenchSettings,
  print: Printer,
): Promise<SectionResult> {
  const templateJson = JSON.stringify(buildSession(0, 3));
  const jsonBytes = Buffer.byteLength(templateJson);
  const timerOverheadNs = summarize(await timeEach(10_000, async () => undefined)).p50Ns;
  const rows: ScaleRow[] = [];
  print('\n### memory scale');
  // Warm-up: JIT and the previous section's garbage would land on the first size.
  await measureSize(Math.min(10_000, settings.scaleSizes[0] ?? 0), settings, templateJson);
  heapUsed();
  for (const live of settings.scaleSizes) {
    const t0 = Date.now();
    const row = await measureSize(live, settings, templateJson);
    rows.push(row);
    print(
      `[${((Date.now() - t0) / 1000).toFixed(1)} s] ${row.live.toLocaleString('en-US')}${row.population.aborted ? ` of ${live.toLocaleString('en-US')} (stopped: time budget)` : ''} live: put ${formatNs(row.population.firstTenthNs)} first tenth → ${formatNs(row.population.lastTenthNs)} last tenth, mean ${formatNs(row.population.putNs)}, get p50 ${formatNs(row.get.p50Ns)} p99 ${formatNs(row.get.p99Ns)}, updateCas ${formatNs(row.updateCasNs)}, heap ${row.heapBytesPerSession.toFixed(0)} B/session; sweeping ${row.expired.toLocaleString('en-US')} expired over ${row.sweepOps} gets: p50 ${formatNs(row.sweep.p50Ns)} p99 ${formatNs(row.sweep.p99Ns)} max ${formatNs(row.sweep.maxNs)}`,
    );
    collectGarbage();
  }
  const table: Table = {
    title: 'Memory backend at scale (get latencies are single awaited calls, timer included)',
    header: [
      'live sessions',
      'put (mean; first → last tenth)',
      'updateCas',
      'get p50',
      'get p99',
      'heap bytes/session',
      'expired swept',
      'get p50 while sweeping',
      'get p99 while sweeping',
      'max while sweeping',
    ],
    rows: rows.map((r) => [
      r.population.aborted
        ? `${r.live.toLocaleString('en-US')} of ${r.requested.toLocaleString('en-US')} asked (population stopped at the time budget)`
        : r.live.toLocaleString('en-US'),
      `${formatNs(r.population.putNs)} (${formatNs(r.population.firstTenthNs)} → ${formatNs(r.population.lastTenthNs)})`,
      formatNs(r.updateCasNs),
      formatNs(r.get.p50Ns),
      formatNs(r.get.p99Ns),
      r.heapBytesPerSession.toFixed(0),
      `${r.expired.toLocaleString('en-US')} in ${r.sweepOps} gets`,
      formatNs(r.sweep.p50Ns),
      formatNs(r.sweep.p99Ns),
      formatNs(r.sweep.maxNs),
    ]),
  };
  const largest = rows[rows.length - 1];
  const targets: TargetRow[] = [];
  if (largest !== undefined) {
    const ratio = largest.sweep.p99Ns / largest.sweep.p50Ns;
    const asked = largest.requested.toLocaleString('en-US');
    const measured = `p99 ${formatNs(largest.sweep.p99Ns)} = ${ratio.toFixed(1)}× the sweeping median (${formatNs(largest.sweep.p50Ns)}); ${(largest.sweep.p99Ns / largest.get.p50Ns).toFixed(1)}× the idle median; worst call ${formatNs(largest.sweep.maxNs)}`;
    targets.push({
      target: `with ${asked} live sessions, p99 get while sweeping ≤ 10× the median`,
      measured: largest.population.aborted
        ? `not reached: filling stopped at ${largest.live.toLocaleString('en-US')} sessions after ${(settings.scaleBudgetMs / 1000).toFixed(0)} s, put slowed from ${formatNs(largest.population.firstTenthNs)} to ${formatNs(largest.population.lastTenthNs)}; at that size ${measured}`
        : measured,
      pass: largest.population.aborted ? null : ratio <= 10,
    });
  }
  return {
    name: 'In-memory backend at scale',
    measurements: [],
    ratios: [],
    targets,
    tables: [table],
    notes: [
      `Each session is parsed from its own JSON (${jsonBytes} bytes) before put, as if from the wire, so sessions share nothing; heap bytes/session counts the stored frozen copy, its expiry-heap slot, the Map entry and the 64-character key (plus an 8-byte slot of the bench's key array).`,
      `Sweeping: half as many sessions again are written with a 60 s TTL and the clock moves 2 minutes, so every call evicts a batch (sweepBatchSize 32) until none is left. Timer overhead per sample is about ${formatNs(timerOverheadNs)}.`,
    ],
  };
}
