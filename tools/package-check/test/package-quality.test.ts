import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE16_IGNORED_RULES, node16Problems } from '../src/attw.ts';
import { run } from '../src/run.ts';
import {
  missingEntries,
  type PackedPackage,
  packPackage,
  unexpectedEntries,
  workspaceRanges,
} from '../src/tarball.ts';
import { listPublicPackages, REPO_ROOT, readManifest } from '../src/workspace.ts';

const publicPackages = listPublicPackages();
const self = readManifest(join(REPO_ROOT, 'tools/package-check'));
const rootLicense = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');
const attwBin = join(REPO_ROOT, 'tools/package-check/node_modules/.bin/attw');

describe('the set of public packages', () => {
  it('holds at least types, core and memory', () => {
    const names = publicPackages.map((pkg) => pkg.name);
    expect(names).toEqual(
      expect.arrayContaining([
        '@greentic/session-types',
        '@greentic/session-core',
        '@greentic/session-memory',
      ]),
    );
  });

  it('is built before these checks run: every public package is a devDependency of this package', () => {
    // turbo's `^build` only builds what this package depends on; a public
    // package missing here would be checked (and packed) without its dist.
    const missing = publicPackages
      .map((pkg) => pkg.name)
      .filter((name) => self.devDependencies?.[name] !== 'workspace:*');
    expect(missing).toEqual([]);
  });
});

describe.each(publicPackages)('$name', (pkg) => {
  let outDir: string;
  let packed: PackedPackage;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'greentic-pack-'));
    packed = await packPackage(pkg.dir, outDir);
  });

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('packs only dist/**, README.md, LICENSE, package.json and files its exports name', () => {
    expect(unexpectedEntries(packed.entries, packed.manifest)).toEqual([]);
  });

  it('packs README.md, LICENSE, package.json and every file its exports name', () => {
    expect(missingEntries(packed.entries, packed.manifest)).toEqual([]);
  });

  it('ships the repository LICENSE text', () => {
    expect(readFileSync(join(pkg.dir, 'LICENSE'), 'utf8')).toBe(rootLicense);
  });

  it('has no workspace: range left in the packed package.json', () => {
    expect(workspaceRanges(packed.manifest)).toEqual([]);
  });

  it('is an ESM-only MIT package with types first in exports, side-effect-free but for a backend registering itself', () => {
    const m = packed.manifest;
    expect(m.type).toBe('module');
    // A backend's entry and its backend module register it with core's factory
    // when imported; nothing else may have side effects.
    const backend = join(pkg.dir, 'src/backend.ts');
    const registers =
      existsSync(backend) && readFileSync(backend, 'utf8').includes('registerSessionStoreBackend(');
    expect(m.sideEffects).toStrictEqual(
      registers ? ['./dist/index.js', './dist/backend.js'] : false,
    );
    expect(m.license).toBe('MIT');
    const root = (m.exports as Record<string, Record<string, string>> | undefined)?.['.'];
    expect(Object.keys(root ?? {})[0]).toBe('types');
    expect(m.dependencies?.ioredis).toBeUndefined();
  });

  it('gives every code entry point a default condition, last, so require() finds it (require(esm))', () => {
    const entries = Object.entries((packed.manifest.exports ?? {}) as Record<string, unknown>);
    const conditional = entries.filter(([, target]) => typeof target === 'object');
    expect(conditional.length).toBeGreaterThan(0);
    for (const [subpath, target] of conditional) {
      const conditions = Object.keys(target as Record<string, string>);
      expect(conditions.at(-1), subpath).toBe('default');
      expect(conditions[0], subpath).toBe('types');
    }
  });

  it('publishes publicly with npm provenance (publishConfig)', () => {
    // NPM_CONFIG_PROVENANCE in the release workflow does not always survive
    // changeset publish -> pnpm publish; publishConfig does.
    expect(packed.manifest.publishConfig).toEqual({ access: 'public', provenance: true });
  });

  it('passes publint in strict mode with no suggestion', async () => {
    const { messages, pkg: manifest } = await publint({
      pkgDir: pkg.dir,
      pack: 'pnpm',
      strict: true,
      level: 'suggestion',
    });
    expect(
      messages.map((message) => `${message.type}: ${formatMessage(message, manifest)}`),
    ).toEqual([]);
  });

  it('passes attw --profile node16 (require(esm) accepted: see NODE16_ACCEPTED_KINDS)', async () => {
    const result = await run(
      attwBin,
      [
        packed.tarball,
        '--profile',
        'node16',
        '--ignore-rules',
        ...NODE16_IGNORED_RULES,
        '--format',
        'json',
      ],
      { cwd: pkg.dir },
    );
    const output = `${result.stdout}\n${result.stderr}`.slice(0, 4000);
    let report: unknown;
    try {
      report = JSON.parse(result.stdout);
    } catch {
      throw new Error(`attw printed no JSON report:\n${output}`);
    }
    expect(node16Problems(report), output).toEqual([]);
    expect(result.code, result.stderr).toBe(0);
  });
});
