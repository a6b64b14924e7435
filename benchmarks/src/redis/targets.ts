/**
 * The Redis targets of issue 9, each a ratio of two benchmarks of the same
 * run, and the auto-pipelining check: with ioredis auto-pipelining on, each
 * ratio may fall at most 10% below its value with it off.
 *
 * @packageDocumentation
 */
import { formatRatio, type RatioRow, type Table, type TargetRow } from '../report.js';
import type { BenchSettings } from '../settings.js';
import type { Setting } from './groups.js';
import { findRatio } from './ratios.js';

/** Ours `op` ≥ `goal` × the baseline `base` (`<impl> <op>`) at one concurrency. */
export interface RatioTarget {
  readonly op: string;
  readonly base: string;
  /** `1`, or `'N'` for the settings' throughput concurrency (64 in a full run). */
  readonly concurrency: 1 | 'N';
  readonly goal: number;
}

/** Least (ratio with auto-pipelining on) ÷ (the same ratio with it off). */
export const PIPELINING_GOAL = 0.9;

/** The ratio targets; the ones marked in the README come from issue 9. */
export const RATIO_TARGETS: readonly RatioTarget[] = [
  ...(['get', 'get (fenced)'] as const).flatMap((op) =>
    ([1, 'N'] as const).flatMap((concurrency) => [
      { op, base: 'raw GET+JSON.parse', concurrency, goal: 0.9 },
      { op, base: 'connect-redis get', concurrency, goal: 1.0 },
    ]),
  ),
  ...(['put', 'updateCas'] as const).flatMap((op) => [
    { op, base: 'raw CAS script', concurrency: 'N' as const, goal: 1.2 },
    { op, base: 'connect-redis set', concurrency: 'N' as const, goal: 0.7 },
  ]),
  { op: 'touch', base: 'raw CAS script', concurrency: 1, goal: 0.9 },
  { op: 'touch', base: 'raw CAS script', concurrency: 'N', goal: 1.0 },
];

function setting(t: RatioTarget, pipelining: boolean, settings: BenchSettings): Setting {
  const concurrency = t.concurrency === 1 ? 1 : settings.concurrency;
  return { caseName: 'typical', concurrency, pipelining, kind: 'standalone' };
}

function goalText(goal: number): string {
  return `${goal.toFixed(1)}×`;
}

/**
 * One row per ratio target (judged with auto-pipelining off, the value with
 * it on shown beside), then one row per target ratio for auto-pipelining.
 */
export function redisRatioTargets(
  ratios: readonly RatioRow[],
  settings: BenchSettings,
): TargetRow[] {
  const found = RATIO_TARGETS.map((t) => ({
    t,
    off: findRatio(ratios, t.op, t.base, setting(t, false, settings)),
    on: findRatio(ratios, t.op, t.base, setting(t, true, settings)),
    c: t.concurrency === 1 ? 1 : settings.concurrency,
  }));
  const rows: TargetRow[] = found.map(({ t, off, on, c }) => ({
    target: `redis ${t.op} ≥ ${goalText(t.goal)} ${t.base}, c${c}`,
    measured:
      off === undefined
        ? 'n/a'
        : `${formatRatio(off.ratio)} (auto-pipelining on: ${on === undefined ? 'n/a' : formatRatio(on.ratio)})`,
    pass: off === undefined ? null : off.ratio >= t.goal,
    ...(off === undefined ? {} : { ratio: off.ratio }),
    goal: t.goal,
    comparison: '≥',
  }));
  for (const { t, off, on, c } of found) {
    const kept = off === undefined || on === undefined ? undefined : on.ratio / off.ratio;
    rows.push({
      target: `auto-pipelining on keeps redis ${t.op} ÷ ${t.base}, c${c} ≥ ${goalText(PIPELINING_GOAL)} its value with it off`,
      measured:
        kept === undefined || off === undefined || on === undefined
          ? 'n/a'
          : `${formatRatio(kept)} (on ${formatRatio(on.ratio)}, off ${formatRatio(off.ratio)})`,
      pass: kept === undefined ? null : kept >= PIPELINING_GOAL,
      ...(kept === undefined ? {} : { ratio: kept }),
      goal: PIPELINING_GOAL,
      comparison: '≥',
    });
  }
  return rows;
}

/** Every typical-case ratio with auto-pipelining off and on, and how much of it on keeps. */
export function pipeliningTable(ratios: readonly RatioRow[]): Table {
  const rows: string[][] = [];
  for (const off of ratios) {
    if (!off.setting.startsWith('typical') || !off.setting.includes('ap-off')) continue;
    const onSetting = off.setting.replace('ap-off', 'ap-on');
    const on = ratios.find(
      (r) =>
        r.setting === onSetting &&
        r.ours === off.ours.replace('ap-off', 'ap-on') &&
        r.baseline === off.baseline.replace('ap-off', 'ap-on'),
    );
    if (on === undefined) continue;
    rows.push([
      off.setting.replace(' ap-off', ''),
      off.op,
      off.baseline.replace(/ \[.*\]$/, ''),
      formatRatio(off.ratio),
      formatRatio(on.ratio),
      formatRatio(on.ratio / off.ratio),
    ]);
  }
  return {
    title: `Auto-pipelining: each ratio with ioredis auto-pipelining off and on (on ÷ off ≥ ${goalText(PIPELINING_GOAL)} is the target for the targeted ratios)`,
    header: ['setting', 'op', 'baseline', 'ratio, off', 'ratio, on', 'on ÷ off'],
    rows,
  };
}
