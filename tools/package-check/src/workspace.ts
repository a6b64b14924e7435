import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the monorepo root (two levels above this package). */
export const REPO_ROOT: string = fileURLToPath(new URL('../../../', import.meta.url));

/** The fields of a package.json these checks read. */
export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  files?: string[];
  exports?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [field: string]: unknown;
}

/** A package found under `packages/`. */
export interface WorkspacePackage {
  /** npm name, e.g. `@greentic/session-core`. */
  name: string;
  /** Absolute directory of the package. */
  dir: string;
  manifest: PackageManifest;
}

/** Reads and parses a `package.json`. */
export function readManifest(dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/**
 * Every package in `packages/*` that has a package.json, sorted by name.
 *
 * @param root monorepo root @default REPO_ROOT
 */
export function listPackages(root: string = REPO_ROOT): WorkspacePackage[] {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(base, entry.name);
      const manifest = readManifest(dir);
      return { name: manifest.name, dir, manifest };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The packages that get published: those in `packages/*` not marked private.
 *
 * @param root monorepo root @default REPO_ROOT
 */
export function listPublicPackages(root: string = REPO_ROOT): WorkspacePackage[] {
  return listPackages(root).filter((pkg) => pkg.manifest.private !== true);
}
