import { runOk } from './run.js';
import { packPackage } from './tarball.js';
import { listPublicPackages } from './workspace.js';

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
