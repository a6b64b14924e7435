import { describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report.ts';
import { renderTurnRuns, summarizeTurnRuns } from '../src/turn-runs.ts';

/** A turn report with just what the summary reads: its target and time-ratio tables. */
function report(date: string, ratio: number, clusterC64: string): RunReport {
  return {
    date,
    sections: [
      {
        name: 'Bot turn',
        targets: [
          {
            target:
              'turn middleware ≤ 1.3× grammY session() time per update (Redis, c64; median of the paired rounds)',
            measured: `${ratio.toFixed(2)}×`,
            pass: ratio <= 1.3,
            ratio,
            goal: 1.3,
            comparison: '≤',
          },
        ],
        tables: [{ title: 'Time per update', header: [], rows: [['Redis · c64', '9.99×']] }],
      },
      {
        name: 'Bot turn (3-master cluster)',
        targets: [],
        tables: [
          {
            title: 'Time per update on the cluster',
            header: [],
            rows: [['turn ÷ session(), Redis Cluster · c64', clusterC64]],
          },
        ],
      },
    ],
  } as unknown as RunReport;
}

describe('turn runs summary', () => {
  it('judges the target on the median over the runs and keeps the run with that median', () => {
    const result = summarizeTurnRuns([
      report('2026-11-28T05:00:00.000Z', 1.44, '1.2×'),
      report('2026-11-28T05:03:00.000Z', 1.21, '1.3×'),
      report('2026-11-28T05:06:00.000Z', 1.27, '1.4×'),
      report('2026-11-28T05:09:00.000Z', 1.35, '1.5×'),
      report('2026-11-28T05:12:00.000Z', 1.23, '1.6×'),
    ]);
    expect(result.medianRun).toBe(2);
    expect(result.target.ratio).toBe(1.27);
    expect(result.target.pass).toBe(true);
    expect(result.target.target).toContain('median over 5 runs');
    expect(result.target.measured).toBe('1.27× (runs: 1.44×, 1.21×, 1.27×, 1.35×, 1.23×)');
    const md = renderTurnRuns(result);
    expect(md).toContain('| 05:06:00 (turn.md) |');
    expect(md).toContain(
      "| target ratio (the run's median of paired rounds) | 1.44× | 1.21× | 1.27× | 1.35× | 1.23× |",
    );
    expect(md).toContain(
      '| turn ÷ session(), Redis Cluster · c64 | 1.2× | 1.3× | 1.4× | 1.5× | 1.6× |',
    );
  });

  it('misses when the median is over the goal, and keeps the lower middle run of an even count', () => {
    const result = summarizeTurnRuns([
      report('2026-11-28T05:00:00.000Z', 1.31, '1×'),
      report('2026-11-28T05:03:00.000Z', 1.5, '1×'),
      report('2026-11-28T05:06:00.000Z', 1.2, '1×'),
      report('2026-11-28T05:09:00.000Z', 1.4, '1×'),
    ]);
    expect(result.target.ratio).toBeCloseTo(1.355, 10);
    expect(result.target.pass).toBe(false);
    expect(result.medianRun).toBe(0);
  });

  it('refuses a run without a target ratio, and no run at all', () => {
    const skipped = { ...report('2026-11-28T05:00:00.000Z', 1, '1×'), sections: [] };
    expect(() => summarizeTurnRuns([skipped as RunReport])).toThrow('measured no target ratio');
    expect(() => summarizeTurnRuns([])).toThrow('no turn run');
  });
});
