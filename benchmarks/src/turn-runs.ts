/**
 * `pnpm bench:turn`: the turn part in several fresh processes, its target
 * judged on the median over them.
 *
 * Within one process the paired rounds of the turn can agree closely while
 * processes differ: V8 does not optimize the same code the same way in every
 * process. In nine single-process runs of 2026-11-28 the target ratio came out
 * between 1.20× and 1.44×; in the 1.44× run eight of the nine rounds fell
 * between 1.38× and 1.52×. Rounds cannot average that out; runs can. The run whose target
 * ratio is the median is kept whole as `results/turn.{md,json}`, and
 * `results/turn-runs.{md,json}` list every run.
 *
 * Command line: `node dist/turn-runs.js [runs]` (default 5; `BENCH_SMOKE=1`
 * and `BENCH_RESULTS_DIR` as for `main.js`).
 *
 * @packageDocumentation
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRatio, median, type RunReport, resultsDirOf, type TargetRow } from './report.js';
import { settingsFromEnv } from './settings.js';

/** One run's target ratio and the ratios a reader compares across runs. */
export interface TurnRunSummary {
  /** When the run started (its report's `date`). */
  readonly date: string;
  /** The target row of the run (Redis c64, median of its paired rounds). */
  readonly target: TargetRow;
  /** Every other time ratio of the run, by label (turn ÷ session(), lower is better). */
  readonly times: Readonly<Record<string, string>>;
}

/** What several runs add up to. */
export interface TurnRunsResult {
  readonly runs: readonly TurnRunSummary[];
  /** Index in `runs` of the run whose target ratio is the median (the lower middle one for an even count). */
  readonly medianRun: number;
  /** The target judged on the median over the runs. */
  readonly target: TargetRow;
}

/** The rows of a report's time-ratio tables (`label → ratio`), all sections. */
function timeRatios(report: RunReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const section of report.sections) {
    for (const table of section.tables) {
      for (const row of table.rows) out[String(row[0])] = String(row[1]);
    }
  }
  return out;
}

/**
 * Sums up the reports of several turn runs.
 *
 * @throws Error when a report has no target ratio (a part was skipped)
 */
export function summarizeTurnRuns(reports: readonly RunReport[]): TurnRunsResult {
  if (reports.length === 0) throw new Error('no turn run to sum up');
  const runs = reports.map((report): TurnRunSummary => {
    const target = report.sections.flatMap((s) => s.targets).find((t) => t.ratio !== undefined);
    if (target === undefined || target.ratio === undefined || target.goal === undefined) {
      throw new Error(`the turn run of ${report.date} measured no target ratio`);
    }
    return { date: report.date, target, times: timeRatios(report) };
  });
  const ratios = runs.map((r) => r.target.ratio as number);
  const order = ratios
    .map((_, i) => i)
    .sort((a, b) => (ratios[a] as number) - (ratios[b] as number));
  const medianRun = order[(order.length - 1) >> 1] as number;
  const mid = median(ratios);
  const first = runs[0]?.target as TargetRow;
  const goal = first.goal as number;
  return {
    runs,
    medianRun,
    target: {
      target: first.target.replace(
        'median of the paired rounds',
        `median over ${runs.length} runs`,
      ),
      measured: `${formatRatio(mid)} (runs: ${ratios.map(formatRatio).join(', ')})`,
      pass: first.comparison === '≥' ? mid >= goal : mid <= goal,
      ratio: mid,
      goal,
      comparison: first.comparison ?? '≤',
    },
  };
}

/** `results/turn-runs.md`: the target over the runs, then every run's ratios. */
export function renderTurnRuns(result: TurnRunsResult): string {
  const labels = [...new Set(result.runs.flatMap((r) => Object.keys(r.times)))];
  const lines = [
    '# Bot turn over several processes',
    '',
    `${result.runs.length} runs of \`dist/main.js turn\`, each in a fresh process; the run with the median target ratio is \`turn.md\`. Time per update, turn ÷ session() (lower is better).`,
    '',
    '| target | measured | result |',
    '|---|---|---|',
    `| ${result.target.target} | ${result.target.measured} | ${result.target.pass ? 'met' : 'missed'} |`,
    '',
    `| ratio | ${result.runs.map((r, i) => `${r.date.slice(11, 19)}${i === result.medianRun ? ' (turn.md)' : ''}`).join(' | ')} |`,
    `|---|${result.runs.map(() => '---').join('|')}|`,
    `| target ratio (the run's median of paired rounds) | ${result.runs.map((r) => formatRatio(r.target.ratio as number)).join(' | ')} |`,
    ...labels.map((l) => `| ${l} | ${result.runs.map((r) => r.times[l] ?? '–').join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}

function runOnce(resultsDir: string): Promise<void> {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', main, 'turn'], {
      env: { ...process.env, BENCH_RESULTS_DIR: resultsDir },
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`main.js turn exited with ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 5);
  if (!Number.isSafeInteger(count) || count < 1 || count > 99) {
    console.error(`usage: turn-runs.js [runs 1..99], got ${JSON.stringify(process.argv[2])}`);
    process.exitCode = 2;
    return;
  }
  const settings = settingsFromEnv();
  const resultsDir = resultsDirOf(settings);
  const work = await mkdtemp(join(tmpdir(), 'greentic-turn-runs-'));
  try {
    const reports: RunReport[] = [];
    for (let i = 0; i < count; i++) {
      const dir = join(work, String(i));
      console.log(`\n## turn run ${i + 1} of ${count}`);
      await runOnce(dir);
      reports.push(JSON.parse(await readFile(join(dir, 'turn.json'), 'utf8')) as RunReport);
    }
    const result = summarizeTurnRuns(reports);
    await mkdir(resultsDir, { recursive: true });
    for (const ext of ['md', 'json']) {
      await copyFile(
        join(work, String(result.medianRun), `turn.${ext}`),
        join(resultsDir, `turn.${ext}`),
      );
    }
    const md = renderTurnRuns(result);
    await writeFile(join(resultsDir, 'turn-runs.md'), md);
    await writeFile(join(resultsDir, 'turn-runs.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\n${md}`);
    console.log(`Wrote turn.md, turn.json, turn-runs.md and turn-runs.json in ${resultsDir}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// Run only as the command line, not when a test imports the summary.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
