/**
 * Command line: `node --expose-gc dist/main.js [all|memory|redis|admin|otel|turn]`.
 * `BENCH_SMOKE=1` runs tiny iteration counts and writes its results to a
 * temp dir (or `BENCH_RESULTS_DIR`) so committed results stay untouched.
 *
 * @packageDocumentation
 */
import { renderMarkdown, resultsDirOf } from './report.js';
import { type BenchPart, runBenchmarks, stopAllServers } from './run.js';
import { settingsFromEnv } from './settings.js';

const PARTS: readonly BenchPart[] = ['all', 'memory', 'redis', 'admin', 'otel', 'turn'];

async function main(): Promise<void> {
  const arg = process.argv[2] ?? 'all';
  if (!PARTS.includes(arg as BenchPart)) {
    console.error(`usage: main.js [${PARTS.join('|')}], got ${JSON.stringify(arg)}`);
    process.exitCode = 2;
    return;
  }
  const settings = settingsFromEnv();
  const resultsDir = resultsDirOf(settings);
  const { report, files } = await runBenchmarks({
    part: arg as BenchPart,
    settings,
    resultsDir,
    print: (line) => console.log(line),
  });
  console.log(`\n${renderMarkdown(report)}`);
  console.log(`Wrote ${files.join(' and ')}`);
}

main().then(
  // Peer clients (keyv's node-redis) may keep sockets open; the run is over.
  () => process.exit(process.exitCode ?? 0),
  async (err: unknown) => {
    console.error(err);
    await stopAllServers();
    process.exit(1);
  },
);
