import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { run } from '../src/run.ts';
import { listPublicPackages, REPO_ROOT } from '../src/workspace.ts';

const typedocConfig = JSON.parse(readFileSync(join(REPO_ROOT, 'typedoc.json'), 'utf8')) as {
  entryPoints: string[];
  entryPointStrategy: string;
  treatWarningsAsErrors?: boolean;
  packageOptions?: { validation?: Record<string, boolean> };
};

describe('API docs (typedoc)', () => {
  it('documents every public package, and only those', () => {
    expect(typedocConfig.entryPointStrategy).toBe('packages');
    const publicDirs = listPublicPackages().map((pkg) => relative(REPO_ROOT, pkg.dir));
    expect([...typedocConfig.entryPoints].sort()).toEqual(publicDirs.sort());
  });

  it('fails on warnings, including an export without TSDoc', () => {
    expect(typedocConfig.treatWarningsAsErrors).toBe(true);
    expect(typedocConfig.packageOptions?.validation).toMatchObject({
      notDocumented: true,
      invalidLink: true,
    });
  });

  it('converts the public API without a warning', async () => {
    // --emit none validates without writing docs/api.
    const result = await run(join(REPO_ROOT, 'node_modules/.bin/typedoc'), ['--emit', 'none'], {
      cwd: REPO_ROOT,
      env: { NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    const output = `${result.stdout}\n${result.stderr}`;
    const warnings = output
      .split('\n')
      .map((line) => stripVTControlCharacters(line))
      .filter((line) => /\[(warning|error)\]/.test(line));
    expect(warnings).toEqual([]);
    expect(result.code, output).toBe(0);
  });
});
