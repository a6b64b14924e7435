import { join } from 'node:path';
import { runOk } from './run.js';
import type { PackageManifest } from './workspace.js';

/** A packed package: where its tarball is and what it holds. */
export interface PackedPackage {
  /** Absolute path of the `.tgz`. */
  tarball: string;
  /** Paths inside the tarball with the leading `package/` removed, sorted. */
  entries: string[];
  /** The package.json as packed (workspace ranges already rewritten). */
  manifest: PackageManifest;
}

/**
 * Packs a package with `pnpm pack`, which rewrites `workspace:` ranges to the
 * versions that would be published, and lists the tarball with `tar`.
 *
 * @param pkgDir directory of the package
 * @param outDir directory the tarball is written to
 * @throws Error when pnpm or tar fails
 */
export async function packPackage(pkgDir: string, outDir: string): Promise<PackedPackage> {
  const { stdout } = await runOk('pnpm', ['pack', '--pack-destination', outDir, '--json'], {
    cwd: pkgDir,
  });
  const tarball = (JSON.parse(stdout) as { filename: string }).filename;
  const absolute = tarball.startsWith('/') ? tarball : join(outDir, tarball);
  return {
    tarball: absolute,
    entries: await listTarball(absolute),
    manifest: JSON.parse(await readTarballFile(absolute, 'package.json')) as PackageManifest,
  };
}

/**
 * Lists the files of an npm tarball, without the `package/` prefix.
 *
 * @throws Error when `tar` cannot read the file
 */
export async function listTarball(tarball: string): Promise<string[]> {
  const { stdout } = await runOk('tar', ['-tzf', tarball], { cwd: '/' });
  return stdout
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''))
    .sort();
}

/**
 * Reads one file of an npm tarball as text.
 *
 * @param path path inside the package, e.g. `package.json`
 * @throws Error when the file is not in the tarball
 */
export async function readTarballFile(tarball: string, path: string): Promise<string> {
  const { stdout } = await runOk('tar', ['-xzOf', tarball, `package/${path}`], { cwd: '/' });
  return stdout;
}

/** Files every published package must carry besides its build output. */
export const REQUIRED_TOP_LEVEL_FILES: readonly string[] = ['LICENSE', 'README.md', 'package.json'];

/**
 * Tarball entries that are not allowed in a published package: everything
 * but `dist/**`, {@link REQUIRED_TOP_LEVEL_FILES} and files the manifest's
 * `exports` names one by one (the schema package's `*.schema.json`). Sources,
 * tests, configs and coverage reports must stay out.
 */
export function unexpectedEntries(entries: readonly string[], manifest: PackageManifest): string[] {
  const exported = new Set(exportTargets(manifest.exports).map(stripDotSlash));
  return entries.filter(
    (entry) =>
      !entry.startsWith('dist/') &&
      !REQUIRED_TOP_LEVEL_FILES.includes(entry) &&
      !exported.has(entry),
  );
}

function stripDotSlash(path: string): string {
  return path.replace(/^\.\//, '');
}

/** Collects every string target of an `exports` map (conditions and subpaths). */
export function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}

/**
 * Files a tarball should hold but does not: the required top-level files and
 * every file the manifest's `exports` points at (a missing one means the
 * package was packed before it was built).
 */
export function missingEntries(entries: readonly string[], manifest: PackageManifest): string[] {
  const have = new Set(entries);
  const wanted = [
    ...REQUIRED_TOP_LEVEL_FILES,
    ...exportTargets(manifest.exports).map(stripDotSlash),
  ];
  return [...new Set(wanted)].filter((file) => !have.has(file));
}

/**
 * Dependency ranges that still use the `workspace:` protocol after packing:
 * npm cannot install those, so a published package must have none.
 */
export function workspaceRanges(manifest: PackageManifest): string[] {
  const fields = ['dependencies', 'peerDependencies', 'optionalDependencies'] as const;
  return fields.flatMap((field) =>
    Object.entries((manifest[field] as Record<string, string> | undefined) ?? {})
      .filter(([, range]) => range.startsWith('workspace:'))
      .map(([name, range]) => `${field}.${name}=${range}`),
  );
}
