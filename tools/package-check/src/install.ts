import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './run.ts';
import { packPackage } from './tarball.ts';
import { listPublicPackages } from './workspace.ts';

/** Packs the named public packages into `outDir` and returns their tarballs. */
export async function packAll(names: readonly string[], outDir: string): Promise<string[]> {
  const packagesByName = new Map(listPublicPackages().map((pkg) => [pkg.name, pkg]));
  const tarballs: string[] = [];
  for (const name of names) {
    const pkg = packagesByName.get(name);
    if (pkg === undefined) throw new Error(`${name} is not a public package in packages/`);
    tarballs.push((await packPackage(pkg.dir, outDir)).tarball);
  }
  return tarballs;
}

/** `npm install` as a user would, in a project outside the workspace. */
export async function npmInstall(project: string, specs: readonly string[]): Promise<void> {
  await runOk('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], {
    cwd: project,
    env: { npm_config_update_notifier: 'false' },
    isolateEnv: true,
    timeoutMs: 150_000,
  });
}

/** Creates `dir/name` holding a package.json of the given module type. */
export function createProject(dir: string, name: string, type: 'module' | 'commonjs'): string {
  const project = join(dir, name);
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name, private: true, type }, null, 2)}\n`,
  );
  return project;
}

/** Runs a program with node as a user would and parses the JSON line it prints. */
export async function runJson(cwd: string, file: string): Promise<Record<string, unknown>> {
  const { stdout } = await runOk('node', [file], { cwd, isolateEnv: true, timeoutMs: 30_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}
