// Sums the vitest JSON reports of every workspace package into the one line
// CI reads. Under CI=true a skipped test or an empty run is a failure.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'examples', 'tools'];
const dirs = ['benchmarks'];
for (const root of roots) {
  if (!existsSync(root)) continue;
  for (const name of readdirSync(root)) dirs.push(join(root, name));
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of dirs) {
  const file = join(dir, 'test-results.json');
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const suiteFailures = (report.testResults ?? []).filter(
    (r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0,
  ).length;
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + suiteFailures;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(
    `${dir}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`,
  );
}

let bad = failed > 0 || passed === 0;
if (process.env.CI === 'true' && skipped > 0) {
  console.log(`CI=true: ${skipped} skipped test(s) count as failures`);
  failed += skipped;
  bad = true;
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(bad ? 1 : 0);
