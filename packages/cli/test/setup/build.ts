import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The process tests run `node dist/bin.js`: build it first, so a direct
 * `vitest run` never tests a stale binary (turbo's `test` builds too).
 */
export function setup(): void {
  const dir = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync('pnpm', ['exec', 'tsc', '-p', 'tsconfig.build.json'], {
    cwd: dir,
    stdio: 'inherit',
  });
}
