import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmInstall, packAll } from '../src/install.ts';
import { runOk } from '../src/run.ts';
import { REPO_ROOT } from '../src/workspace.ts';

// @opentelemetry/api is an optional peer: without it the packed packages
// load and work (hooks included); with it and an SDK, the same installed
// packages emit spans, also from an esbuild bundle.
const PACKAGES = ['@greentic/session-types', '@greentic/session-core', '@greentic/session-memory'];
const OTEL = ['@opentelemetry/api@1.9.1', '@opentelemetry/sdk-trace-base@2.12.1'];
const esbuild = join(REPO_ROOT, 'tools/package-check/node_modules/.bin/esbuild');
const fixture = fileURLToPath(new URL('./fixtures/otel-app.mjs', import.meta.url));

async function run(cwd: string, file: string): Promise<Record<string, unknown>> {
  const { stdout } = await runOk('node', [file], { cwd, isolateEnv: true, timeoutMs: 30_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

const WITHOUT_OTEL = {
  putCas: 1,
  stale: 'stale',
  mutatedCas: 3,
  attempts: 2,
  invalid: 'invalid_input',
  events: ['conflict:stale', 'conflict:stale', 'retry:2', 'error:invalid_input'],
};

describe('@opentelemetry/api is optional', () => {
  let workDir: string;
  let project: string;
  const results: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'greentic-otel-optional-'));
    expect(workDir.startsWith(REPO_ROOT)).toBe(false);
    const tarballs = await packAll(PACKAGES, workDir);
    project = join(workDir, 'app');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      '{ "name": "app", "private": true, "type": "module" }\n',
    );
    await npmInstall(project, tarballs);
    copyFileSync(fixture, join(project, 'app.mjs'));
    results.withoutApi = await run(project, 'app.mjs');
    results.apiInstalledBefore = {
      present: existsSync(join(project, 'node_modules/@opentelemetry/api')),
    };
    await npmInstall(project, OTEL);
    results.withSdk = await run(project, 'app.mjs');
    await runOk(
      esbuild,
      [
        'app.mjs',
        '--bundle',
        '--platform=node',
        '--format=esm',
        '--log-level=warning',
        // Our packages are bundled; the application's SDK stays outside (the
        // SDK's CommonJS build does not bundle into ESM), so the bundled core
        // must find @opentelemetry/api at run time, beside the bundle.
        '--external:@opentelemetry/*',
        '--outfile=dist/app.mjs',
      ],
      { cwd: project, isolateEnv: true },
    );
    results.bundleWithSdk = await run(project, 'dist/app.mjs');
  }, 300_000);

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('npm does not install the optional peer, and the packages work without it: hooks fire, nothing throws', () => {
    expect(results.apiInstalledBefore).toEqual({ present: false });
    expect(results.withoutApi).toEqual({ ...WITHOUT_OTEL, spans: null });
  });

  it('with the API and an SDK installed, the same packages emit a span per operation', () => {
    expect(results.withSdk).toMatchObject(WITHOUT_OTEL);
    const spans = results.withSdk?.spans as string[];
    expect(spans).toEqual([
      'put memory',
      'updateCas memory',
      'get memory',
      'put memory',
      'updateCas memory',
      'mutate.attempt memory',
      'get memory',
      'updateCas memory',
      'mutate.attempt memory',
      'mutate memory',
      'get memory',
    ]);
  });

  it('an esbuild bundle of our packages finds the API at run time and emits the same spans', () => {
    expect(results.bundleWithSdk).toEqual(results.withSdk);
  });
});
