/**
 * Which of our operations is compared with which baseline. Adding a peer's
 * ratio is one line here.
 *
 * @packageDocumentation
 */
import type { Measurement } from '../harness.js';
import { type RatioRow, ratioOf } from '../report.js';
import type { BenchSettings } from '../settings.js';
import { benchName, concurrencies, type Setting, settingLabel } from './groups.js';

/** Ours `op` against the baseline `base` (`<impl> <op>`), in every setting where both ran. */
export interface RatioPair {
  readonly op: string;
  readonly base: string;
  /** Label of the ratio row, when it is not `op`. */
  readonly label?: string;
}

/** Every ratio the Redis sections report. */
export const RATIO_PAIRS: readonly RatioPair[] = [
  { op: 'get', base: 'raw GET+JSON.parse' },
  { op: 'get', base: 'raw GET' },
  { op: 'get', base: 'connect-redis get' },
  { op: 'get', base: 'grammY read' },
  { op: 'get', base: 'keyv get' },
  { op: 'get (fenced)', base: 'raw GET+JSON.parse' },
  { op: 'get (fenced)', base: 'raw GET' },
  { op: 'get (fenced)', base: 'connect-redis get' },
  { op: 'put', base: 'raw CAS script' },
  { op: 'put', base: 'raw SET EX' },
  { op: 'put', base: 'connect-redis set' },
  { op: 'put', base: 'grammY write' },
  { op: 'put', base: 'keyv set' },
  { op: 'updateCas', base: 'raw CAS script' },
  { op: 'updateCas', base: 'connect-redis set' },
  { op: 'touch', base: 'raw CAS script' },
  { op: 'delete', base: 'raw CAS script' },
  { op: 'mutate', base: 'raw CAS script', label: 'mutate (2 round trips)' },
];

/** Ratio rows of one case and client mode, at each concurrency. */
export function ratiosFor(
  measured: readonly Measurement[],
  base: Omit<Setting, 'concurrency'>,
  settings: BenchSettings,
): RatioRow[] {
  const section = base.kind === 'cluster' ? 'redis cluster' : 'redis';
  const rows: RatioRow[] = [];
  for (const concurrency of concurrencies(settings)) {
    const setting = { ...base, concurrency };
    for (const pair of RATIO_PAIRS) {
      const r = ratioOf(
        measured,
        section,
        settingLabel(setting),
        pair.label ?? pair.op,
        benchName(`ours ${pair.op}`, setting),
        benchName(pair.base, setting),
      );
      if (r !== undefined) rows.push(r);
    }
  }
  return rows;
}

/** The ratio of ours `op` to `base` in one setting, if both were measured. */
export function findRatio(
  rows: readonly RatioRow[],
  op: string,
  base: string,
  setting: Setting,
): RatioRow | undefined {
  const ours = benchName(`ours ${op}`, setting);
  const baseline = benchName(base, setting);
  return rows.find((r) => r.ours === ours && r.baseline === baseline);
}
