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
import { do_not_optimize } from 'mitata';
import { buildCase, roundRobin, type SessionCase } from './fixtures.js';
import type { BenchGroup, BenchSpec, Measurement, Printer } from './harness.js';
import { runGroups } from './harness.js';
import {
  formatRatio,
  type RatioRow,
  ratioOf,
  type SectionResult,
  type TargetRow,
} from './report.js';
import type { BenchSettings } from './settings.js';

/** The three configurations, by bench label. */
const MODES = ['telemetry off', 'no provider', 'SDK'] as const;
type Mode = (typeof MODES)[number];

const OPS = ['get', 'put', 'updateCas', 'touch', 'delete', 'mutate'] as const;

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
        perOpSamples: true,
        maxSamples: 3_000,
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Ratios from paired rounds: in each round the three configurations of an
 * operation run back to back, so each round gives one baseline ÷ candidate
 * time ratio under the same load; the row's ratio is the median of those.
 * On a shared machine whose load drifts within seconds this is far steadier
 * than comparing each configuration's own median round.
 */
function ratiosOf(section: string, backend: string, measured: readonly Measurement[]): RatioRow[] {
  const rows: RatioRow[] = [];
  for (const op of OPS) {
    for (const mode of ['no provider', 'SDK'] as const) {
      const r = ratioOf(
        measured,
        section,
        mode,
        op,
        `${backend} ${op} · ${mode}`,
        `${backend} ${op} · telemetry off`,
      );
      const ours = measured.find((m) => m.name === r?.ours);
      const base = measured.find((m) => m.name === r?.baseline);
      if (r === undefined || ours === undefined || base === undefined) continue;
      const paired = ours.roundsAvgNs.map((t, i) => (base.roundsAvgNs[i] as number) / t);
      rows.push({ ...r, ratio: median(paired) });
    }
  }
  return rows;
}

/** More, shorter rounds than the other parts: the ratios are paired per round. */
export function otelSettings(settings: BenchSettings): BenchSettings {
  return settings.smoke ? settings : { ...settings, rounds: 9, minCpuTimeNs: 80e6 };
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
    const rows = ratios.filter((r) => r.setting === mode);
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
  open: StoreFactory,
  settings: BenchSettings,
  print: Printer,
): Promise<SectionResult> {
  const section = `otel ${backend}`;
  const keys = backend === 'memory' ? settings.keys : Math.min(settings.keys, 2_000);
  const c = buildCase('typical', keys, 3);
  const sdk = startSdk();
  const stores: SessionStore[] = [];
  try {
    const groups = await specsFor(backend, c, open, sdk, stores);
    const measurements = await runGroups(section, groups, otelSettings(settings), print);
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
          rows: OPS.map((op) => {
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
        'Overhead = baseline time ÷ measured time − 1, the median over 9 rounds of the ratio within each round (the three configurations of an operation run back to back in every round, in alternating order); a negative figure is noise. The ops/s columns are each configuration’s median round.',
      ],
    };
  } finally {
    for (const s of stores) await s.close();
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
      (telemetry) => new InMemorySessionStore({ telemetry: telemetry as never }),
      settings,
      print,
    ),
  );
  if (redisUrl !== null) {
    sections.push(
      await runBackend(
        'redis',
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
