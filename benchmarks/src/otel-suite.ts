/**
 * The cost of observability: each store operation on memory and Redis with
 * telemetry off (`telemetry: false`, the baseline), with no provider
 * registered (the default when `@opentelemetry/api` is absent or nothing is
 * registered: the same single branch either way), and with the OpenTelemetry
 * SDK (batch span processor and periodic metric reader, both exporting to a
 * no-op exporter; the async-hooks context manager registered as the Node SDK
 * does). All three stores live in the same process and are measured
 * interleaved in the same run.
 *
 * @packageDocumentation
 */
import { mutate, type SessionStore } from '@greentic/session-core';
import { InMemorySessionStore } from '@greentic/session-memory';
import { RedisSessionStore } from '@greentic/session-redis';
import type { Cas, SessionSnapshot } from '@greentic/session-types';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import { do_not_optimize } from 'mitata';
import { buildCase, roundRobin, type SessionCase } from './fixtures.js';
import type { BenchGroup, BenchSpec, Measurement, Printer } from './harness.js';
import {
  formatNs,
  formatRatio,
  pairedRatio,
  type RatioRow,
  type SectionResult,
  type TargetRow,
} from './report.js';
import type { BenchSettings } from './settings.js';

/** The three configurations, by bench label. */
const MODES = ['telemetry off', 'no provider', 'SDK'] as const;
type Mode = (typeof MODES)[number];

// delete last: its setup re-puts the session each call deletes, the others need them all live.
const OPS = ['get', 'put', 'updateCas', 'touch', 'mutate', 'delete'] as const;

/** Accepts everything, sends nothing: what the SDK costs without an exporter's I/O. */
const noopSpanExporter: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
};
const noopMetricExporter: PushMetricExporter = {
  export: (_metrics, done) => done({ code: 0 }),
  forceFlush: async () => {},
  shutdown: async () => {},
};

interface Sdk {
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  shutdown(): Promise<void>;
}

function startSdk(): Sdk {
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(noopSpanExporter, { scheduledDelayMillis: 200 })],
  });
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: noopMetricExporter,
        exportIntervalMillis: 1000,
      }),
    ],
  });
  return {
    tracerProvider,
    meterProvider,
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

type StoreFactory = (telemetry: unknown) => SessionStore;

async function specsFor(
  backend: string,
  c: SessionCase,
  open: StoreFactory,
  sdk: Sdk,
  stores: SessionStore[],
): Promise<BenchGroup[]> {
  const n = c.sessions.length;
  const keys = c.sessions.map((s) => s.key);
  const telemetryOf: Record<Mode, unknown> = {
    'telemetry off': false,
    'no provider': undefined,
    SDK: { tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider },
  };
  const byOp = new Map<string, BenchSpec[]>(OPS.map((op) => [op, []]));
  for (const mode of MODES) {
    const store = open(telemetryOf[mode]);
    stores.push(store);
    const cas: Cas[] = [];
    for (const s of c.sessions) cas.push(await store.put(s));
    const name = (op: string) => `${backend} ${op} · ${mode}`;
    const add = (op: string, spec: Omit<BenchSpec, 'name' | 'impl' | 'op'>) =>
      byOp.get(op)?.push({
        name: name(op),
        impl: mode,
        op,
        ...(mode === 'telemetry off' ? { baseline: true } : {}),
        ...spec,
      });
    {
      const next = roundRobin(n);
      add('get', { fn: async () => do_not_optimize(await store.get(keys[next()] as string)) });
    }
    {
      const next = roundRobin(n);
      add('put', {
        fn: async () => {
          const i = next();
          cas[i] = await store.put(c.sessions[i] as SessionSnapshot);
        },
      });
    }
    {
      const next = roundRobin(n);
      add('updateCas', {
        fn: async () => {
          const i = next();
          const r = await store.updateCas(c.sessions[i] as SessionSnapshot, cas[i] as Cas);
          if (!r.ok) throw new Error(`updateCas conflict in the benchmark: ${r.reason}`);
          cas[i] = r.cas;
        },
      });
    }
    {
      const next = roundRobin(n);
      add('touch', { fn: async () => do_not_optimize(await store.touch(keys[next()] as string)) });
    }
    {
      const next = roundRobin(n);
      add('delete', {
        setup: async () => {
          const i = next();
          cas[i] = await store.put(c.sessions[i] as SessionSnapshot);
          return keys[i];
        },
        fn: async (key: string) => do_not_optimize(await store.delete(key)),
      });
    }
    {
      const next = roundRobin(n);
      add('mutate', {
        fn: async () => {
          const i = next();
          const r = await mutate(store, keys[i] as string, (s) => ({
            ...s,
            cursor: { ...s.cursor, nodeId: s.cursor.nodeId === 'a' ? 'b' : 'a' },
          }));
          if (r !== null) cas[i] = r.cas;
        },
      });
    }
  }
  return OPS.map((op) => ({
    title: `${backend} ${op}: telemetry off | no provider | SDK`,
    specs: byOp.get(op) ?? [],
  }));
}

/**
 * The SDK's own price, for reference: a bare ioredis GET, and the same GET
 * inside a span of the same SDK (started before, ended after), with none of
 * the store's code around it.
 */
function rawReference(url: string, sdk: Sdk, clients: Redis[]): BenchGroup {
  const client = new Redis(url);
  clients.push(client);
  const tracer = sdk.tracerProvider.getTracer('bench');
  return {
    title: 'raw ioredis GET: no span | SDK span',
    specs: [
      {
        name: 'raw GET · no span',
        impl: 'telemetry off',
        op: 'raw GET',
        baseline: true,
        fn: async () => do_not_optimize(await client.get('bench-otel-raw')),
      },
      {
        name: 'raw GET · SDK span',
        impl: 'SDK',
        op: 'raw GET',
        fn: async () => {
          const span = tracer.startSpan('GET', {
            kind: 2,
            attributes: { 'db.system.name': 'redis' },
          });
          do_not_optimize(await client.get('bench-otel-raw'));
          span.end();
        },
      },
    ],
  };
}

/**
 * Ratios from paired blocks: the configurations of an operation run in
 * adjacent blocks (see {@link measureInterleaved}), so each iteration gives
 * one baseline ÷ candidate time ratio under the same load; the row's ratio
 * is the median of those.
 */
function ratiosOf(section: string, backend: string, measured: readonly Measurement[]): RatioRow[] {
  const rows: RatioRow[] = [];
  const raw = pairedRatio(
    measured,
    section,
    'SDK',
    'raw GET',
    'raw GET · SDK span',
    'raw GET · no span',
  );
  for (const op of OPS) {
    for (const mode of ['no provider', 'SDK'] as const) {
      const r = pairedRatio(
        measured,
        section,
        mode,
        op,
        `${backend} ${op} · ${mode}`,
        `${backend} ${op} · telemetry off`,
      );
      if (r !== undefined) rows.push(r);
    }
  }
  if (raw !== undefined) rows.push(raw);
  return rows;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** How long each operation is measured (its three configurations together), in ms. */
function budgetMs(backend: string, settings: BenchSettings): number {
  if (settings.smoke) return 50;
  return backend === 'memory' ? 3_000 : 8_000;
}

/** Awaited calls per block. */
function blockSize(backend: string): number {
  return backend === 'memory' ? 200 : 20;
}

/**
 * Measures the configurations of each operation interleaved block by block:
 * iteration i runs one block of each configuration back to back (the order
 * rotating every iteration), a block being {@link blockSize} awaited calls
 * timed together, or, for a spec with an untimed `setup`, as many calls
 * timed one by one after their setup. mitata's rounds of hundreds of
 * milliseconds per configuration are too coarse on a machine whose load
 * changes within milliseconds; adjacent blocks see the same load, so their
 * ratio is the overhead, and the median over hundreds of iterations is steady.
 */
async function measureInterleaved(
  section: string,
  groups: readonly BenchGroup[],
  backend: string,
  settings: BenchSettings,
  print: Printer,
): Promise<Measurement[]> {
  const perBlock = blockSize(backend);
  const out: Measurement[] = [];
  for (const g of groups) {
    const specs = g.specs;
    const blocks: number[][] = specs.map(() => []);
    const started = Date.now();
    // Warm-up: one block of each, not recorded.
    for (const spec of specs) await runBlock(spec, perBlock);
    for (let i = 0; i < 5 || Date.now() - started < budgetMs(backend, settings); i++) {
      for (let k = 0; k < specs.length; k++) {
        const j = (i + k) % specs.length;
        blocks[j]?.push(await runBlock(specs[j] as BenchSpec, perBlock));
      }
    }
    const wallMs = Date.now() - started;
    const medians: string[] = [];
    specs.forEach((spec, j) => {
      const avgs = blocks[j] as number[];
      const sorted = [...avgs].sort((a, b) => a - b);
      const p50 = quantile(sorted, 0.5);
      medians.push(`${spec.impl} ${formatNs(p50)}`);
      out.push({
        section,
        group: g.title,
        name: spec.name,
        impl: spec.impl,
        op: spec.op,
        concurrency: 1,
        avgNs: avgs.reduce((a, b) => a + b, 0) / avgs.length,
        p50Ns: p50,
        p99Ns: quantile(sorted, 0.99),
        minNs: sorted[0] ?? 0,
        maxNs: sorted[sorted.length - 1] ?? 0,
        opsPerSec: 1e9 / p50,
        samples: avgs.length,
        perOpSamples: false,
        roundsAvgNs: avgs,
        wallMs,
      });
    });
    print(`${g.title}: ${medians.join(' | ')} (median of ${blocks[0]?.length ?? 0} blocks)`);
  }
  return out;
}

/** One block: mean ns per call. */
async function runBlock(spec: BenchSpec, count: number): Promise<number> {
  const fn = spec.fn as (arg?: unknown) => unknown;
  if (spec.setup === undefined) {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) await fn();
    return ((performance.now() - t0) * 1e6) / count;
  }
  let total = 0;
  for (let i = 0; i < count; i++) {
    const arg = await spec.setup();
    const t0 = performance.now();
    await fn(arg);
    total += performance.now() - t0;
  }
  return (total * 1e6) / count;
}

/** Overhead in percent from a throughput ratio (ours ÷ baseline). */
function overheadPct(ratio: number): string {
  return `${((1 / ratio - 1) * 100).toFixed(1)} %`;
}

function targetsOf(backend: string, ratios: readonly RatioRow[]): TargetRow[] {
  const targets: TargetRow[] = [];
  const goals: [Mode, number | null][] = [
    ['no provider', 1.03],
    ['SDK', backend === 'redis' ? 1.15 : null],
  ];
  for (const [mode, maxCost] of goals) {
    if (maxCost === null) continue;
    const rows = ratios.filter((r) => r.setting === mode && r.op !== 'raw GET');
    const worst = rows.reduce<RatioRow | undefined>(
      (w, r) => (w === undefined || r.ratio < w.ratio ? r : w),
      undefined,
    );
    targets.push({
      target: `${backend}, ${mode}: each operation costs ≤ ${Math.round((maxCost - 1) * 100)} % more than telemetry off`,
      measured:
        worst === undefined
          ? 'n/a'
          : `${rows.map((r) => `${r.op} ${overheadPct(r.ratio)}`).join(', ')} (worst ${worst.op}, ${formatRatio(worst.ratio)} throughput)`,
      pass: worst === undefined ? null : 1 / worst.ratio <= maxCost,
      ...(worst === undefined
        ? {}
        : { ratio: worst.ratio, goal: 1 / maxCost, comparison: '≥' as const }),
    });
  }
  return targets;
}

async function runBackend(
  backend: 'memory' | 'redis',
  rawUrl: string | null,
  open: StoreFactory,
  settings: BenchSettings,
  print: Printer,
): Promise<SectionResult> {
  const section = `otel ${backend}`;
  const keys = backend === 'memory' ? settings.keys : Math.min(settings.keys, 2_000);
  const c = buildCase('typical', keys, 3);
  const sdk = startSdk();
  const stores: SessionStore[] = [];
  const clients: Redis[] = [];
  try {
    const groups = await specsFor(backend, c, open, sdk, stores);
    if (rawUrl !== null) groups.push(rawReference(rawUrl, sdk, clients));
    print(`\n### ${section}`);
    const measurements = await measureInterleaved(section, groups, backend, settings, print);
    const ratios = ratiosOf(section, backend, measurements);
    return {
      name: `OpenTelemetry overhead: ${backend}`,
      measurements,
      ratios,
      targets: targetsOf(backend, ratios),
      tables: [
        {
          title: `${backend}: cost of each operation against telemetry off (same run, interleaved rounds)`,
          header: ['operation', 'no provider', 'SDK, no-op exporter'],
          rows: [...OPS, ...(rawUrl === null ? [] : ['raw GET'])].map((op) => {
            const cell = (mode: string) => {
              const r = ratios.find((x) => x.op === op && x.setting === mode);
              return r === undefined ? 'n/a' : `${overheadPct(r.ratio)} (${formatRatio(r.ratio)})`;
            };
            return [op, cell('no provider'), cell('SDK')];
          }),
        },
      ],
      notes: [
        `Typical session (${Math.round(c.jsonBytes)} bytes of JSON), ${keys} keys round-robin, one operation at a time (awaited).`,
        '"no provider": the default options with `@opentelemetry/api` installed and nothing registered. Without the API installed the code path is the same single check (the API’s global registry is absent either way).',
        '"SDK": `BasicTracerProvider` with a `BatchSpanProcessor` and a `MeterProvider` with a `PeriodicExportingMetricReader`, both exporting to a no-op exporter, passed as the store’s `telemetry` option; the async-hooks context manager is registered globally, as the Node SDK does. Each operation starts and ends a span, records the duration histogram and, for `mutate`, an attempt span and the attempts histogram.',
        'raw GET (Redis only): a bare ioredis GET, and the same GET inside a span of the same SDK with nothing of ours around it: the price of one SDK span on this machine, to read the store figures against.',
        `Measured in interleaved blocks (${blockSize(backend)} awaited calls per block; the three configurations of an operation run in adjacent blocks, order rotating; delete times each call alone after an untimed put). Overhead = baseline time ÷ measured time − 1 per iteration, median over all iterations; a negative figure is noise. The ops/s columns are from each configuration's median block.`,
      ],
    };
  } finally {
    for (const s of stores) await s.close();
    for (const client of clients) client.disconnect();
    await sdk.shutdown();
  }
}

let contextRegistered = false;

/**
 * Runs the memory section, and the Redis section on `redisUrl` (null: skipped).
 */
export async function runOtelSuite(
  settings: BenchSettings,
  print: Printer,
  redisUrl: string | null,
): Promise<SectionResult[]> {
  if (!contextRegistered) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextRegistered = true;
  }
  const sections: SectionResult[] = [];
  sections.push(
    await runBackend(
      'memory',
      null,
      (telemetry) => new InMemorySessionStore({ telemetry: telemetry as never }),
      settings,
      print,
    ),
  );
  if (redisUrl !== null) {
    sections.push(
      await runBackend(
        'redis',
        redisUrl,
        (telemetry) =>
          new RedisSessionStore({
            url: redisUrl,
            namespace: `bench-otel-${Math.random().toString(36).slice(2, 8)}`,
            telemetry: telemetry as never,
          }),
        settings,
        print,
      ),
    );
  }
  return sections;
}
