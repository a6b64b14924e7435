import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOk } from '../src/run.ts';
import { packPackage } from '../src/tarball.ts';
import { listPublicPackages, REPO_ROOT } from '../src/workspace.ts';

// The backend a user picks plus what it needs, nothing else: no Redis package.
const INSTALLED = ['@greentic/session-types', '@greentic/session-core', '@greentic/session-memory'];
const program = fileURLToPath(new URL('./fixtures/install-smoke.mjs', import.meta.url));

describe('installing the packed memory backend into a project outside the workspace', () => {
  let workDir: string;
  let output: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'greentic-install-smoke-'));
    expect(workDir.startsWith(REPO_ROOT)).toBe(false);
    const packagesByName = new Map(listPublicPackages().map((pkg) => [pkg.name, pkg]));
    const tarballs: string[] = [];
    for (const name of INSTALLED) {
      const pkg = packagesByName.get(name);
      if (pkg === undefined) throw new Error(`${name} is not a public package in packages/`);
      tarballs.push((await packPackage(pkg.dir, workDir)).tarball);
    }
    const project = join(workDir, 'app');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'smoke-app', private: true, type: 'module' }, null, 2)}\n`,
    );
    // One install of all tarballs: the packed manifests depend on ^0.x
    // versions that are not on the registry yet, and npm satisfies them from
    // the tarballs given alongside.
    await runOk('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], {
      cwd: project,
      env: { npm_config_update_notifier: 'false' },
      isolateEnv: true,
      timeoutMs: 90_000,
    });
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
