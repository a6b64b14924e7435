import { describe, expect, it } from 'vitest';
import { node16Problems } from '../src/attw.ts';
import { parseChangeset } from '../src/changesets.ts';
import { run, runOk, userEnv } from '../src/run.ts';
import {
  exportTargets,
  missingEntries,
  unexpectedEntries,
  workspaceRanges,
} from '../src/tarball.ts';
import { unknownPnpmScripts, unpinnedActions, type Workflow } from '../src/workflow.ts';
import type { PackageManifest } from '../src/workspace.ts';

const manifest: PackageManifest = {
  name: '@greentic/session-schema',
  version: '0.1.0',
  exports: {
    '.': { types: './dist/index.d.ts', import: './dist/index.js' },
    './session.schema.json': './schemas/session.schema.json',
    './package.json': './package.json',
  },
};

describe('tarball rules', () => {
  it('collects every export target, nested conditions included', () => {
    expect(exportTargets(manifest.exports).sort()).toEqual([
      './dist/index.d.ts',
      './dist/index.js',
      './package.json',
      './schemas/session.schema.json',
    ]);
    expect(exportTargets('./dist/index.js')).toEqual(['./dist/index.js']);
    expect(exportTargets(null)).toEqual([]);
  });

  it('rejects sources, tests and configs, and accepts dist, the top-level files and exported files', () => {
    const entries = [
      'LICENSE',
      'README.md',
      'package.json',
      'dist/index.js',
      'dist/index.d.ts',
      'schemas/session.schema.json',
      'schemas/draft.json',
      'src/index.ts',
      'tsconfig.json',
    ];
    expect(unexpectedEntries(entries, manifest)).toEqual([
      'schemas/draft.json',
      'src/index.ts',
      'tsconfig.json',
    ]);
  });

  it('reports a missing README, LICENSE and unbuilt export targets', () => {
    expect(missingEntries(['package.json', 'dist/index.d.ts'], manifest)).toEqual([
      'LICENSE',
      'README.md',
      'dist/index.js',
      'schemas/session.schema.json',
    ]);
  });

  it('finds workspace: ranges that would reach npm', () => {
    expect(
      workspaceRanges({
        name: 'x',
        version: '1.0.0',
        dependencies: { a: 'workspace:^', b: '^1.0.0' },
        peerDependencies: { c: 'workspace:*' },
      }),
    ).toEqual(['dependencies.a=workspace:^', 'peerDependencies.c=workspace:*']);
  });
});

describe('node16Problems', () => {
  it('drops node10 resolutions and CJSResolvesToESM (require(esm)) and keeps the rest', () => {
    const report = {
      analysis: {
        problems: [
          { kind: 'CJSResolvesToESM', entrypoint: '.', resolutionKind: 'node16-cjs' },
          { kind: 'NoResolution', entrypoint: '.', resolutionKind: 'node10' },
          { kind: 'FalseCJS', entrypoint: '.', resolutionKind: 'node16-esm' },
          { kind: 'NoResolution', entrypoint: './x', resolutionKind: 'node16-cjs' },
          { kind: 'InternalResolutionError' },
        ],
      },
    };
    expect(node16Problems(report).map((p) => p.kind)).toEqual([
      'FalseCJS',
      'NoResolution',
      'InternalResolutionError',
    ]);
  });

  it('refuses a report without an analysis', () => {
    expect(() => node16Problems({ error: 'no dist' })).toThrow(/analysis.problems/);
  });
});

describe('parseChangeset', () => {
  it('reads quoted and bare package names and the summary', () => {
    const parsed = parseChangeset(
      'a.md',
      '---\n"@greentic/session-core": minor\nfoo: patch\n---\n\nFixed it.\n',
    );
    expect(parsed).toEqual({
      file: 'a.md',
      releases: { '@greentic/session-core': 'minor', foo: 'patch' },
      summary: 'Fixed it.',
    });
  });

  it('rejects a file without front matter or with an unknown bump', () => {
    expect(() => parseChangeset('b.md', 'no front matter')).toThrow(/b.md: no --- front matter/);
    expect(() => parseChangeset('c.md', '---\n"x": huge\n---\n')).toThrow(/c.md: cannot read/);
  });
});

describe('workflow helpers', () => {
  const workflow: Workflow = {
    jobs: {
      a: {
        steps: [
          { uses: 'actions/checkout@v4' },
          { uses: 'actions/cache@main' },
          { uses: 'some/action' },
          { uses: 'pinned/action@0123456789abcdef0123456789abcdef01234567' },
          { uses: './local-action' },
          { run: 'pnpm install --frozen-lockfile && pnpm lint\npnpm run docs; pnpm tset' },
        ],
      },
    },
  };

  it('flags actions pinned to a branch or not at all', () => {
    expect(unpinnedActions(workflow)).toEqual(['actions/cache@main', 'some/action']);
  });

  it('flags pnpm scripts that package.json does not define', () => {
    expect(unknownPnpmScripts(workflow, { lint: 'biome', docs: 'typedoc' })).toEqual(['tset']);
  });
});

describe('run', () => {
  it('reports a non-zero exit without throwing, and runOk throws with the output', async () => {
    const result = await run('node', ['-e', 'console.error("boom"); process.exit(3)'], {
      cwd: '/',
    });
    expect(result).toMatchObject({ code: 3, stderr: 'boom\n' });
    await expect(runOk('node', ['-e', 'process.exit(2)'], { cwd: '/' })).rejects.toThrow(
      /exited 2/,
    );
  });

  it('kills a command that runs past its timeout', async () => {
    await expect(
      run('node', ['-e', 'setTimeout(() => {}, 60000)'], { cwd: '/', timeoutMs: 200 }),
    ).rejects.toThrow(/ran past 200 ms/);
  });

  it('gives an isolated child only the user-level environment', async () => {
    process.env.GREENTIC_PACKAGE_CHECK_PROBE = 'leak';
    try {
      const script =
        'console.log(JSON.stringify([process.env.GREENTIC_PACKAGE_CHECK_PROBE ?? null, process.env.X]))';
      const isolated = await run('node', ['-e', script], {
        cwd: '/',
        isolateEnv: true,
        env: { X: 'y' },
      });
      expect(JSON.parse(isolated.stdout)).toEqual([null, 'y']);
      const inherited = await run('node', ['-e', script], { cwd: '/' });
      expect(JSON.parse(inherited.stdout)).toEqual(['leak', null]);
      expect(userEnv()).not.toHaveProperty('NODE_PATH');
    } finally {
      delete process.env.GREENTIC_PACKAGE_CHECK_PROBE;
    }
  });
});
