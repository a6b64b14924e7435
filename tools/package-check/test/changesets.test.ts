import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPendingChangesets } from '../src/changesets.ts';
import { runOk } from '../src/run.ts';
import { listPackages, listPublicPackages, REPO_ROOT } from '../src/workspace.ts';

interface ReleasePlan {
  changesets: { id: string; releases: { name: string; type: string }[] }[];
  releases: { name: string; type: string; oldVersion: string; newVersion: string }[];
}

const config = JSON.parse(readFileSync(join(REPO_ROOT, '.changeset/config.json'), 'utf8'));
const publicNames = listPublicPackages().map((pkg) => pkg.name);
const privateNames = listPackages()
  .filter((pkg) => pkg.manifest.private === true)
  .map((pkg) => pkg.name);

describe('.changeset/config.json', () => {
  it('versions each public package on its own, publicly, against main', () => {
    expect(config).toMatchObject({
      changelog: '@changesets/cli/changelog',
      commit: false,
      fixed: [],
      linked: [],
      access: 'public',
      baseBranch: 'main',
      updateInternalDependencies: 'patch',
      privatePackages: { version: false, tag: false },
    });
  });
});

describe('pending changesets', () => {
  const pending = readPendingChangesets(join(REPO_ROOT, '.changeset'));

  it('name only public packages and carry a summary', () => {
    for (const changeset of pending) {
      for (const name of Object.keys(changeset.releases)) {
        expect(publicNames, `${changeset.file} names ${name}`).toContain(name);
      }
      expect(changeset.summary, changeset.file).not.toBe('');
    }
  });
});

describe('changeset status (offline)', () => {
  let dir: string;
  let plan: ReleasePlan;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'greentic-changeset-'));
    const output = join(dir, 'status.json');
    await runOk(join(REPO_ROOT, 'node_modules/.bin/changeset'), ['status', `--output=${output}`], {
      cwd: REPO_ROOT,
    });
    plan = JSON.parse(readFileSync(output, 'utf8')) as ReleasePlan;
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('never releases a private package', () => {
    const released = plan.releases.filter((r) => r.type !== 'none').map((r) => r.name);
    expect(released.filter((name) => privateNames.includes(name))).toEqual([]);
  });

  it('never publishes 0.0.0: a public package at 0.0.0 has a pending release', () => {
    const unreleased = listPublicPackages()
      .filter((pkg) => pkg.manifest.version === '0.0.0')
      .filter((pkg) => {
        const release = plan.releases.find((r) => r.name === pkg.name);
        return release === undefined || release.newVersion === '0.0.0';
      })
      .map((pkg) => pkg.name);
    expect(unreleased).toEqual([]);
  });
});
