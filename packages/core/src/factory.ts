import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeValue, invalidInput, type OpContext, sessionError } from './context.js';
import type { SessionStore } from './session-store.js';

/** What a backend package exports for {@link createSessionStore}. */
export interface SessionStoreBackendModule {
  /** Opens a store from a URL of one of the backend's schemes. */
  openSessionStore(
    url: string,
    options?: Record<string, unknown>,
  ): Promise<SessionStore> | SessionStore;
}

/** Options of {@link createSessionStore}. */
export interface CreateSessionStoreOptions {
  /**
   * Loads a backend package by name. Pass `(name) => import(name)` from your
   * own module when a bundler or an unusual layout keeps the default dynamic
   * import from finding the package. @default dynamic `import()`
   */
  importModule?: (specifier: string) => Promise<unknown>;
  /** Options handed to the backend (for Redis: `commandTimeoutMs`, ...). */
  backendOptions?: Record<string, unknown>;
}

/** URL schemes and the package that serves each. */
export const SESSION_STORE_SCHEMES: Readonly<Record<string, string>> = Object.freeze({
  memory: '@greentic/session-memory',
  redis: '@greentic/session-redis',
  rediss: '@greentic/session-redis',
  'redis+cluster': '@greentic/session-redis',
  'rediss+cluster': '@greentic/session-redis',
  'redis+sentinel': '@greentic/session-redis',
  'rediss+sentinel': '@greentic/session-redis',
});

const CTX: OpContext = { pkg: '@greentic/session-core', op: 'createSessionStore' };

/** The package a "module not found" error names (`ioredis`, `@scope/name`), if it is one. */
function missingPackage(err: unknown): string | undefined {
  const e = err as { code?: unknown; message?: unknown };
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') return undefined;
  if (typeof e.message !== 'string') return undefined;
  const name = /Cannot find (?:package|module) '([^']+)'/.exec(e.message)?.[1];
  if (name === undefined || name.startsWith('.') || name.startsWith('/')) return undefined;
  // `pkg/sub/path` → `pkg`; `@scope/pkg/sub` → `@scope/pkg`.
  return name
    .split('/')
    .slice(0, name.startsWith('@') ? 2 : 1)
    .join('/');
}

function isModuleNotFound(err: unknown, specifier: string): boolean {
  return missingPackage(err) === specifier;
}

/**
 * Imports a backend package: first as this module sees it (a normal install
 * puts backends beside core), then as the application sees it from the
 * working directory (workspaces and strict layouts where core cannot see the
 * app's dependencies).
 */
async function importBackend(specifier: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (err) {
    if (!isModuleNotFound(err, specifier)) throw err;
    let resolved: string;
    try {
      resolved = createRequire(join(process.cwd(), 'noop.js')).resolve(specifier);
    } catch {
      throw err;
    }
    return import(pathToFileURL(resolved).href);
  }
}

/**
 * Opens a store from a URL, loading the backend package on demand:
 * `memory://`, `redis://host:6379/0?namespace=x`, `rediss://…`, or
 * `redis+cluster://host1:7000,host2:7001?namespace=x`.
 *
 * @throws SessionError `invalid_input` for an unknown scheme or a malformed URL;
 *   `unavailable` naming the package to install when it is missing
 */
export async function createSessionStore(
  url: string,
  options: CreateSessionStoreOptions = {},
): Promise<SessionStore> {
  if (typeof url !== 'string')
    throw invalidInput(CTX, `url must be a string, got ${describeValue(url)}`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined)
    throw invalidInput(CTX, `url must look like scheme://…, got ${describeValue(url)}`);
  const pkg = SESSION_STORE_SCHEMES[scheme];
  if (pkg === undefined) {
    throw invalidInput(
      CTX,
      `unknown scheme ${JSON.stringify(`${scheme}://`)}; supported: ${Object.keys(
        SESSION_STORE_SCHEMES,
      )
        .map((s) => `${s}://`)
        .join(', ')}`,
    );
  }
  const load = options.importModule ?? importBackend;
  let mod: unknown;
  try {
    mod = await load(pkg);
  } catch (err) {
    const missing = missingPackage(err);
    if (missing === pkg) {
      throw sessionError(
        'unavailable',
        CTX,
        `${scheme}:// needs the package ${pkg}: install it (npm install ${pkg}, or pnpm add ${pkg})`,
        err,
        'missing_package',
      );
    }
    if (missing !== undefined) {
      throw sessionError(
        'unavailable',
        CTX,
        `${pkg} is installed but its dependency ${missing} is not: install it (npm install ${missing}, or pnpm add ${missing})`,
        err,
        'missing_package',
      );
    }
    throw sessionError('internal', CTX, `loading ${pkg} failed`, err);
  }
  const open = (mod as Partial<SessionStoreBackendModule> | null)?.openSessionStore;
  if (typeof open !== 'function') {
    throw sessionError('internal', CTX, `${pkg} does not export openSessionStore(url)`);
  }
  return open(url, options.backendOptions);
}
