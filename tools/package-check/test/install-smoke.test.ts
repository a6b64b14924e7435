import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, npmInstall, packAll, runJson } from '../src/install.ts';
import { runOk } from '../src/run.ts';
import { REPO_ROOT } from '../src/workspace.ts';

// The backend a user picks plus what it needs, nothing else: no Redis package.
const INSTALLED = ['@greentic/session-types', '@greentic/session-core', '@greentic/session-memory'];
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const program = fixture('install-smoke.mjs');

describe('installing the packed memory backend into a project outside the workspace', () => {
  let workDir: string;
  let output: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'greentic-install-smoke-'));
    expect(workDir.startsWith(REPO_ROOT)).toBe(false);
    const tarballs = await packAll(INSTALLED, workDir);
    const project = createProject(workDir, 'app', 'module');
    // One install of all tarballs: the packed manifests depend on ^0.x
    // versions that are not on the registry yet, and npm satisfies them from
    // the tarballs given alongside.
    await npmInstall(project, tarballs);
    copyFileSync(program, join(project, 'smoke.mjs'));
    output = (
      await runOk('node', ['smoke.mjs'], { cwd: project, isolateEnv: true, timeoutMs: 30_000 })
    ).stdout;
  });

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('installs exactly types, core and memory from the tarballs', () => {
    const scope = readdirSync(join(workDir, 'app/node_modules/@greentic')).sort();
    expect(scope).toEqual(['session-core', 'session-memory', 'session-types']);
  });

  it('puts, gets and updates a session with updateCas through the installed packages', () => {
    const result = JSON.parse(output);
    expect(result.putCas).toBe(1);
    expect(result.getCas).toBe(1);
    expect(result.written).toMatchObject({ ok: true, cas: 2 });
    expect(result.stale).toMatchObject({ ok: false, current: 2, reason: 'stale' });
    expect(result.outboxLength).toBe(1);
    expect(result.frozen).toBe(true);
  });

  it("opens createSessionStore('memory://') from the installed core", () => {
    const result = JSON.parse(output);
    expect(result.factory).toEqual({ className: 'InMemorySessionStore', cas: 1, sameKey: true });
  });

  it('says which package to install for redis:// when only memory is installed', () => {
    const result = JSON.parse(output);
    expect(result.redis).toMatchObject({ code: 'unavailable', isSessionError: true });
    expect(result.redis.message).toContain('@greentic/session-redis');
  });
});

const ALL_PUBLIC = [
  '@greentic/session-types',
  '@greentic/session-core',
  '@greentic/session-memory',
  '@greentic/session-redis',
  '@greentic/session-mapping',
  '@greentic/session-schema',
];
// Third-party versions the consumers install from the registry, pinned like the workspace's.
const IOREDIS_6 = 'ioredis@6.0.0';
const IOREDIS_5 = 'ioredis@5.11.1';
const TYPES_NODE = '@types/node@20.19.43';
const tsc = join(REPO_ROOT, 'node_modules/.bin/tsc');
const esbuild = join(REPO_ROOT, 'tools/package-check/node_modules/.bin/esbuild');

describe('consumers of every packed package: CommonJS, TypeScript (CJS and ESM), a bundle', () => {
  let workDir: string;
  let project: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'greentic-consumers-'));
    expect(workDir.startsWith(REPO_ROOT)).toBe(false);
    const tarballs = await packAll(ALL_PUBLIC, workDir);
    // "type": "commonjs": a .js file here is CommonJS, as in most existing apps.
    project = createProject(workDir, 'consumers', 'commonjs');
    await npmInstall(project, [...tarballs, IOREDIS_6, TYPES_NODE]);
  }, 240_000);

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('CommonJS JavaScript: require() loads every package, and a session round-trips', async () => {
    copyFileSync(fixture('cjs-plain.cjs'), join(project, 'cjs-plain.js'));
    const result = await runJson(project, 'cjs-plain.js');
    expect(result).toEqual({
      moduleSystem: 'cjs',
      putCas: 1,
      written: { ok: true, cas: 2 },
      fenced: { code: 'tenant_mismatch', isSessionError: true, sameClassFromCore: true },
      factory: { className: 'InMemorySessionStore', cas: 1 },
      keyLength: 64,
      redis: { store: 'function', create: 'function' },
      schema: {
        valid: true,
        id: 'https://greentic.ai/schemas/session/0.1/session.schema.json',
        files: 6,
      },
      casConstants: [0, 1, 0, 1],
    });
  });

  describe('TypeScript with module: nodenext, strict, skipLibCheck: false', () => {
    beforeAll(async () => {
      copyFileSync(fixture('typed-consumer.ts'), join(project, 'cjs-ts.cts'));
      copyFileSync(fixture('typed-consumer.ts'), join(project, 'esm-ts.mts'));
      writeFileSync(
        join(project, 'tsconfig.json'),
        `${JSON.stringify(
          {
            compilerOptions: {
              module: 'nodenext',
              moduleResolution: 'nodenext',
              target: 'es2022',
              strict: true,
              skipLibCheck: false,
              types: ['node'],
            },
            files: ['cjs-ts.cts', 'esm-ts.mts'],
          },
          null,
          2,
        )}\n`,
      );
      // The workspace's compiler, run in the consumer project.
      await runOk(tsc, ['-p', 'tsconfig.json'], { cwd: project, isolateEnv: true });
    }, 120_000);

    const expected = {
      where: 'onboarding/ask-name',
      advanced: 2,
      mutatedCas: 3,
      outboxLength: 1,
      errorCode: 'invalid_input',
      factory: 'InMemorySessionStore',
      schemaValid: true,
      redisOptionsUrl: 'redis://127.0.0.1:6379/0',
    };

    it('a .cts file compiles to require() calls and runs', async () => {
      const compiled = readFileSync(join(project, 'cjs-ts.cjs'), 'utf8');
      expect(compiled).toMatch(/require\(["']@greentic\/session-core["']\)/);
      expect(await runJson(project, 'cjs-ts.cjs')).toEqual({ moduleSystem: 'cjs', ...expected });
    });

    it('a .mts file compiles to import statements and runs', async () => {
      const compiled = readFileSync(join(project, 'esm-ts.mjs'), 'utf8');
      expect(compiled).toMatch(/from ["']@greentic\/session-core["']/);
      expect(compiled).not.toMatch(/require\(/);
      expect(await runJson(project, 'esm-ts.mjs')).toEqual({ moduleSystem: 'esm', ...expected });
    });
  });

  describe('an esbuild bundle run where no node_modules exists', () => {
    let result: Record<string, Record<string, unknown>>;
    let warnings: string;

    beforeAll(async () => {
      copyFileSync(fixture('bundle-app.mjs'), join(project, 'bundle-app.mjs'));
      const outDir = mkdtempSync(join(tmpdir(), 'greentic-bundle-'));
      try {
        const outfile = join(outDir, 'app.mjs');
        const built = await runOk(
          esbuild,
          [
            'bundle-app.mjs',
            '--bundle',
            '--platform=node',
            '--format=esm',
            '--log-level=warning',
            `--outfile=${outfile}`,
          ],
          { cwd: project, isolateEnv: true },
        );
        warnings = built.stderr;
        expect(existsSync(join(outDir, 'node_modules'))).toBe(false);
        result = (await runJson(outDir, outfile)) as typeof result;
      } finally {
        rmSync(outDir, { recursive: true, force: true });
      }
    }, 60_000);

    it("createSessionStore('memory://') opens the bundled memory backend its import registered", () => {
      expect(result.bare).toMatchObject({ ok: true, className: 'InMemorySessionStore', cas: 1 });
      expect(warnings).toBe('');
    });

    it('a scheme whose backend is not bundled fails naming the package to add', () => {
      expect(result.redis).toMatchObject({
        ok: false,
        code: 'unavailable',
        reason: 'missing_package',
      });
      expect(result.redis?.message).toContain("import '@greentic/session-redis'");
    });
  });

  it('the schema export command writes into the folder it runs in, not into node_modules', async () => {
    const out = join(project, 'exported');
    mkdirSync(out);
    const bin = join(project, 'node_modules/.bin/greentic-session-schema');
    const { stdout } = await runOk(bin, [], { cwd: out, isolateEnv: true });
    expect(readdirSync(out).sort()).toEqual([
      'outbox-entry.schema.json',
      'session-cursor.schema.json',
      'session-meta.schema.json',
      'session.schema.json',
      'stored-envelope.schema.json',
      'stored-session.schema.json',
    ]);
    expect(stdout).not.toContain('node_modules');
  });
});

describe('an app already on ioredis 5', () => {
  let workDir: string;

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'greentic-ioredis5-'));
  });

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it(`installs the redis backend beside ${IOREDIS_5} without --legacy-peer-deps, and require() loads it`, async () => {
    const tarballs = await packAll(
      ['@greentic/session-types', '@greentic/session-core', '@greentic/session-redis'],
      workDir,
    );
    const project = createProject(workDir, 'app5', 'commonjs');
    await npmInstall(project, [IOREDIS_5, ...tarballs]);
    const installed = JSON.parse(
      readFileSync(join(project, 'node_modules/ioredis/package.json'), 'utf8'),
    ) as { version: string };
    expect(installed.version).toBe(IOREDIS_5.split('@')[1]);
    writeFileSync(
      join(project, 'check.js'),
      "const { RedisSessionStore } = require('@greentic/session-redis');\nconsole.log(JSON.stringify({ store: typeof RedisSessionStore }));\n",
    );
    expect(await runJson(project, 'check.js')).toEqual({ store: 'function' });
  }, 240_000);
});

describe('installing the packed CLI into a project outside the workspace', () => {
  let workDir: string;
  let bin: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'greentic-cli-install-'));
    expect(workDir.startsWith(REPO_ROOT)).toBe(false);
    const tarballs = await packAll(
      [
        '@greentic/session-types',
        '@greentic/session-core',
        '@greentic/session-memory',
        '@greentic/session-redis',
        '@greentic/session-cli',
      ],
      workDir,
    );
    const project = createProject(workDir, 'ops', 'commonjs');
    // ioredis is a peer: npm installs it from the registry without being asked.
    await npmInstall(project, tarballs);
    bin = join(project, 'node_modules/.bin/greentic-session');
  }, 240_000);

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('greentic-session --help runs from node_modules/.bin', async () => {
    const { stdout } = await runOk(bin, ['--help'], { cwd: workDir, isolateEnv: true });
    expect(stdout).toContain('Usage: greentic-session');
    expect(stdout).toContain('purge');
  });

  it('greentic-session check --json opens a store through the installed backends', async () => {
    const { stdout } = await runOk(bin, ['check', '--json', '--url', 'memory://'], {
      cwd: workDir,
      isolateEnv: true,
    });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, backend: '@greentic/session-memory' });
  });
});
