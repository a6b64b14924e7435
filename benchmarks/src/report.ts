/**
 * Ratios, targets and the result files (`results/<part>.json` and
 * `results/<part>.md`) every run writes.
 *
 * @packageDocumentation
 */
import { mkdtempSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Measurement } from './harness.js';
import type { BenchSettings, MachineInfo } from './settings.js';

/** Ours against one baseline measured in the same run. */
export interface RatioRow {
  readonly section: string;
  /** Payload case, concurrency and client mode, e.g. `typical · c64 · pipelining on`. */
  readonly setting: string;
  readonly op: string;
  readonly ours: string;
  readonly baseline: string;
  readonly oursOpsPerSec: number;
  readonly baselineOpsPerSec: number;
  /** Ours ÷ baseline throughput (= baseline time ÷ our time); above 1 means we are faster. */
  readonly ratio: number;
}

/** A target of the issue and where this run landed. */
export interface TargetRow {
  readonly target: string;
  readonly measured: string;
  /** null when the run could not measure it (a part was skipped). */
  readonly pass: boolean | null;
  /** The measured ratio the target is judged on, when it is one ratio. */
  readonly ratio?: number;
  /** The bound that ratio is held to. */
  readonly goal?: number;
  /** Whether the ratio must be at least (`≥`) or at most (`≤`) the goal. */
  readonly comparison?: '≥' | '≤';
}

/** A free-form table (scale, memory per session, command counts). */
export interface Table {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

/** Everything one section produced. */
export interface SectionResult {
  readonly name: string;
  readonly measurements: readonly Measurement[];
  readonly ratios: readonly RatioRow[];
  readonly targets: readonly TargetRow[];
  readonly tables: readonly Table[];
  readonly notes: readonly string[];
  /** Wall time of the section, in seconds. */
  readonly durationSecs?: number;
}

/** The content of a result file. */
export interface RunReport {
  readonly part: string;
  readonly date: string;
  readonly smoke: boolean;
  readonly machine: MachineInfo;
  readonly redisVersion: string | null;
  readonly settings: BenchSettings;
  readonly durationSecs: number;
  readonly skipped: readonly string[];
  readonly sections: readonly SectionResult[];
}

/**
 * Where a run writes its result files: `BENCH_RESULTS_DIR`, else a fresh temp
 * dir for a smoke run (so committed results stay untouched), else `results/`.
 */
export function resultsDirOf(
  settings: BenchSettings,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return (
    env.BENCH_RESULTS_DIR ??
    (settings.smoke
      ? mkdtempSync(join(tmpdir(), 'greentic-bench-smoke-'))
      : fileURLToPath(new URL('../results', import.meta.url)))
  );
}

/**
 * Compares two measurements of a list by name.
 *
 * @returns the row, or undefined when either is missing (a bench that failed or was skipped)
 */
export function ratioOf(
  measured: readonly Measurement[],
  section: string,
  setting: string,
  op: string,
  oursName: string,
  baselineName: string,
): RatioRow | undefined {
  const ours = measured.find((m) => m.name === oursName);
  const base = measured.find((m) => m.name === baselineName);
  if (ours === undefined || base === undefined) return undefined;
  return {
    section,
    setting,
    op,
    ours: ours.name,
    baseline: base.name,
    oursOpsPerSec: ours.opsPerSec,
    baselineOpsPerSec: base.opsPerSec,
    ratio: ours.opsPerSec / base.opsPerSec,
  };
}

/**
 * {@link ratioOf} with the median of the per-round ratios: each round
 * measures ours and the baseline back to back, so pairing them cancels the
 * load drift of a shared machine that the medians taken apart keep.
 *
 * @returns the row, or undefined when either is missing
 */
export function pairedRatio(
  measured: readonly Measurement[],
  section: string,
  setting: string,
  op: string,
  oursName: string,
  baseName: string,
): RatioRow | undefined {
  const r = ratioOf(measured, section, setting, op, oursName, baseName);
  const paired = roundRatios(measured, oursName, baseName);
  if (r === undefined || paired === undefined) return undefined;
  return { ...r, ratio: median(paired) };
}

/**
 * Each round's throughput ratio, ours ÷ baseline (the two measured back to
 * back), or undefined when either is missing.
 */
export function roundRatios(
  measured: readonly Measurement[],
  oursName: string,
  baseName: string,
): number[] | undefined {
  const ours = measured.find((m) => m.name === oursName);
  const base = measured.find((m) => m.name === baseName);
  if (ours === undefined || base === undefined) return undefined;
  return ours.roundsAvgNs.map((t, i) => (base.roundsAvgNs[i] as number) / t);
}

/** The median (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Formats a number of operations per second: `1.23 M`, `456 k`. */
export function formatOps(ops: number): string {
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)} M`;
  if (ops >= 1e3) return `${(ops / 1e3).toFixed(1)} k`;
  return ops.toFixed(0);
}

/** Formats nanoseconds as ns, µs or ms. */
export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${ns.toFixed(0)} ns`;
}

/** Formats a ratio with two decimals and a multiplication sign. */
export function formatRatio(r: number): string {
  return `${r.toFixed(2)}×`;
}

function mdTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]) {
  const esc = (v: string | number) => String(v).replaceAll('|', '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function passMark(pass: boolean | null): string {
  if (pass === null) return 'not measured';
  return pass ? 'met' : 'missed';
}

/** Renders a run as markdown: machine, targets, ratio table, extra tables, notes. */
export function renderMarkdown(report: RunReport): string {
  const m = report.machine;
  const out: string[] = [];
  out.push(`# Benchmark results (${report.part})`);
  out.push('');
  out.push(
    `${report.date} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${m.node} (V8 ${m.v8}) · Redis ${report.redisVersion ?? 'not run'} · ${report.durationSecs.toFixed(0)} s${report.smoke ? ' · SMOKE RUN (numbers meaningless)' : ''}`,
  );
  out.push('');
  out.push(
    'Ratios are ours ÷ baseline throughput, both measured in this run (above 1 = ours is faster). Times are per operation; at concurrency 64 they are wall time ÷ 64.',
  );
  for (const s of report.skipped) out.push(`\n> Skipped: ${s}`);
  const targets = report.sections.flatMap((s) => s.targets);
  if (targets.length > 0) {
    out.push('\n## Targets\n');
    out.push(
      mdTable(
        ['target', 'measured', 'result'],
        targets.map((t) => [t.target, t.measured, passMark(t.pass)]),
      ),
    );
  }
  for (const section of report.sections) {
    out.push(`\n## ${section.name}\n`);
    if (section.ratios.length > 0) {
      out.push(
        mdTable(
          ['setting', 'op', 'ours', 'baseline', 'ours ops/s', 'baseline ops/s', 'ratio'],
          section.ratios.map((r) => [
            r.setting,
            r.op,
            r.ours,
            r.baseline,
            formatOps(r.oursOpsPerSec),
            formatOps(r.baselineOpsPerSec),
            formatRatio(r.ratio),
          ]),
        ),
      );
    }
    for (const t of section.tables) {
      out.push(`\n**${t.title}**\n`);
      out.push(mdTable(t.header, t.rows));
    }
    for (const n of section.notes) out.push(`\n- ${n}`);
  }
  out.push('');
  return out.join('\n');
}

/**
 * Writes `<dir>/<part>.json` (every measurement) and `<dir>/<part>.md`.
 *
 * @returns the two paths
 */
export async function writeReport(report: RunReport, dir: string): Promise<[string, string]> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, `${report.part}.json`);
  const md = join(dir, `${report.part}.md`);
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(md, renderMarkdown(report));
  return [json, md];
}
