/**
 * Turns subjects' operations into mitata groups (reads and writes, at
 * concurrency 1 and N) and names each setting.
 *
 * @packageDocumentation
 */
import type { BenchGroup, BenchSpec, Measurement } from '../harness.js';
import type { Table } from '../report.js';
import type { BenchSettings } from '../settings.js';
import type { OpTemplate } from './spec.js';

/** Where a measurement was taken. */
export interface Setting {
  /** Payload case: `typical` or `large`. */
  readonly caseName: string;
  readonly concurrency: number;
  /** ioredis auto-pipelining. */
  readonly pipelining: boolean;
  readonly kind: 'standalone' | 'cluster';
}

/** A setting's label in bench names and ratio rows: `typical c64 ap-on cluster`. */
export function settingLabel(s: Setting): string {
  const where = s.kind === 'cluster' ? ' cluster' : '';
  return `${s.caseName} c${s.concurrency} ap-${s.pipelining ? 'on' : 'off'}${where}`;
}

/** A benchmark's name: `<impl> <op> [<setting>]`. */
export function benchName(implOp: string, setting: Setting): string {
  return `${implOp} [${settingLabel(setting)}]`;
}

/** The concurrencies every operation runs at: 1 (latency) and the settings' N (throughput). */
export function concurrencies(settings: BenchSettings): readonly number[] {
  return [1, settings.concurrency];
}

/**
 * One read group and one write group per concurrency, each with the
 * subjects' baseline marked for mitata's summary.
 */
export function groupsFor(
  templates: readonly OpTemplate[],
  base: Omit<Setting, 'concurrency'>,
  settings: BenchSettings,
): BenchGroup[] {
  const groups: BenchGroup[] = [];
  for (const concurrency of concurrencies(settings)) {
    const setting = { ...base, concurrency };
    const label = settingLabel(setting);
    const spec = (t: OpTemplate): BenchSpec => ({
      name: benchName(`${t.impl} ${t.op}`, setting),
      impl: t.impl,
      op: t.op,
      fn: t.fn,
      ...(t.setup === undefined ? {} : { setup: t.setup }),
      ...(t.maxSamples === undefined ? {} : { maxSamples: t.maxSamples }),
      concurrency,
      perOpSamples: concurrency === 1,
      baseline: t.baseline === true,
    });
    for (const kind of ['read', 'write'] as const) {
      groups.push({
        title: `${kind}s, ${label}`,
        specs: templates.filter((t) => t.kind === kind).map(spec),
      });
    }
  }
  return groups;
}

/** Latency table of concurrency-1 runs: p50 and p99 per operation. */
export function latencyTable(measured: readonly Measurement[], title: string): Table {
  const rows = measured
    .filter((m) => m.concurrency === 1)
    .map((m) => [m.name, `${(m.p50Ns / 1e3).toFixed(1)} µs`, `${(m.p99Ns / 1e3).toFixed(1)} µs`]);
  return { title, header: ['benchmark (concurrency 1)', 'p50', 'p99'], rows };
}
