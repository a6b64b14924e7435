import { describeValue, invalidInput, type OpContext, readInput, sessionError } from './context.js';
import type { SessionStore } from './session-store.js';
import { readOptions } from './validate.js';

/**
 * A backend the factory can open stores with. Each backend package exports
 * one (`memoryBackend`, `redisBackend`) and registers it when it is imported;
 * a third-party backend registers its own the same way, without touching core.
 */
export interface SessionStoreBackend {
  /** The package that provides it, for messages (for example `@greentic/session-redis`). */
  readonly name: string;
  /** URL schemes it serves, lowercase, without `://` (for example `redis`, `redis+cluster`). */
  readonly schemes: readonly string[];
  /** Opens a store from a URL of one of its schemes, with the factory's `backendOptions`. */
  open(url: string, options?: Record<string, unknown>): SessionStore | Promise<SessionStore>;
}

/** Options of {@link createSessionStore}. */
export interface CreateSessionStoreOptions {
  /**
   * Backends to use, before the registered ones. Passing them explicitly is
   * the surest way in a bundle: nothing depends on an import's side effect.
   */
  backends?: readonly SessionStoreBackend[];
  /** Options handed to the backend (for Redis: `commandTimeoutMs`, ...). */
  backendOptions?: Record<string, unknown>;
}

const CTX: OpContext = { pkg: '@greentic/session-core', op: 'createSessionStore' };
const REGISTER_CTX: OpContext = {
  pkg: '@greentic/session-core',
  op: 'registerSessionStoreBackend',
};

const FACTORY_OPTIONS = ['backends', 'backendOptions'] as const;

const SCHEME = /^[a-z][a-z0-9+.-]{0,63}$/;

// First-party packages, named in messages only: the factory never loads a
// package by name (a bundle could not follow that), it uses what registered.
const FIRST_PARTY_HINTS: Readonly<Record<string, string>> = Object.freeze({
  memory: '@greentic/session-memory',
  redis: '@greentic/session-redis',
  rediss: '@greentic/session-redis',
  'redis+cluster': '@greentic/session-redis',
  'rediss+cluster': '@greentic/session-redis',
  'redis+sentinel': '@greentic/session-redis',
  'rediss+sentinel': '@greentic/session-redis',
});

// One registry per process, shared by every installed copy of core (a
// duplicate install must not hide a backend another copy registered).
const REGISTRY_KEY = Symbol.for('greentic.session.backends');

function registry(): Map<string, SessionStoreBackend> {
  const holder = globalThis as { [REGISTRY_KEY]?: Map<string, SessionStoreBackend> };
  holder[REGISTRY_KEY] ??= new Map();
  return holder[REGISTRY_KEY];
}

/** Validates a backend, reading each of its properties once. */
function readBackend(value: unknown, ctx: OpContext, field: string): SessionStoreBackend {
  return readInput(ctx, field, () => {
    if (typeof value !== 'object' || value === null) {
      throw invalidInput(ctx, `${field} must be a backend object, got ${describeValue(value)}`);
    }
    const { name, schemes, open } = value as Record<string, unknown>;
    if (typeof name !== 'string' || name.length === 0 || name.length > 214) {
      throw invalidInput(ctx, `${field}.name must be a package name, got ${describeValue(name)}`);
    }
    if (!Array.isArray(schemes) || schemes.length === 0 || schemes.length > 64) {
      throw invalidInput(ctx, `${field}.schemes must be a non-empty array of URL schemes`);
    }
    const copy: string[] = [];
    for (let i = 0; i < schemes.length; i++) {
      const scheme: unknown = schemes[i];
      if (typeof scheme !== 'string' || !SCHEME.test(scheme)) {
        throw invalidInput(
          ctx,
          `${field}.schemes[${i}] must be a lowercase URL scheme without "://", got ${describeValue(scheme)}`,
        );
      }
      copy.push(scheme);
    }
    if (typeof open !== 'function') throw invalidInput(ctx, `${field}.open must be a function`);
    return Object.freeze({
      name,
      schemes: Object.freeze(copy),
      open: open as SessionStoreBackend['open'],
    });
  });
}

/**
 * Makes a backend available to {@link createSessionStore} for its schemes.
 * Backend packages call it when they are imported; registering the same
 * package again (a second installed copy) replaces it.
 *
 * @param backend - the backend
 * @throws SessionError `invalid_input` for a malformed backend, or a scheme
 *   another package already serves
 */
export function registerSessionStoreBackend(backend: SessionStoreBackend): void {
  const checked = readBackend(backend, REGISTER_CTX, 'backend');
  const map = registry();
  for (const scheme of checked.schemes) {
    const current = map.get(scheme);
    if (current !== undefined && current.name !== checked.name) {
      throw invalidInput(
        REGISTER_CTX,
        `${scheme}:// is already served by ${current.name}; ${checked.name} cannot take it`,
      );
    }
  }
  for (const scheme of checked.schemes) map.set(scheme, checked);
}

/** The URL schemes registered backends serve, sorted. */
export function registeredSessionStoreSchemes(): string[] {
  return [...registry().keys()].sort();
}

/**
 * Opens a store from a URL with the backend that serves its scheme:
 * `memory://`, `redis://host:6379/0?namespace=x`, `rediss://…`,
 * `redis+cluster://host1:7000,host2:7001`, `redis+sentinel://s1:26379/mymaster`,
 * or any scheme a third-party backend registered.
 *
 * Import the backend package once (its import registers it), or pass its
 * backend in `options.backends`:
 *
 * @example
 * ```ts
 * import '@greentic/session-redis';
 * const store = await createSessionStore(process.env.SESSION_URL!);
 * // or, explicitly: createSessionStore(url, { backends: [redisBackend] })
 * ```
 *
 * @param url - where the store is; never echoed in error messages (it may hold a password)
 * @param options - a plain object: `backends`, `backendOptions`
 * @throws SessionError `invalid_input` for a malformed URL or bad options;
 *   `unavailable` with `reason: 'missing_package'` when no loaded backend
 *   serves the scheme (naming the package that does, for first-party schemes)
 */
export async function createSessionStore(
  url: string,
  options: CreateSessionStoreOptions = {},
): Promise<SessionStore> {
  if (typeof url !== 'string')
    throw invalidInput(CTX, `url must be a string, got ${describeValue(url)}`);
  const { backends, backendOptions } = readOptions(options, FACTORY_OPTIONS, CTX, 'options');
  const given: SessionStoreBackend[] = [];
  if (backends !== undefined) {
    if (!Array.isArray(backends)) throw invalidInput(CTX, 'options.backends must be an array');
    for (let i = 0; i < backends.length; i++) {
      given.push(readBackend(backends[i], CTX, `options.backends[${i}]`));
    }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  // Never echo the URL: it may carry a password (`redis://user:secret@host`).
  if (scheme === undefined)
    throw invalidInput(
      CTX,
      `url must look like scheme://… (the URL is not shown: it may hold credentials; length ${url.length})`,
    );
  const backend = given.find((b) => b.schemes.includes(scheme)) ?? registry().get(scheme);
  if (backend === undefined) {
    const pkg = FIRST_PARTY_HINTS[scheme];
    const loaded = [...new Set([...given.flatMap((b) => b.schemes), ...registry().keys()])]
      .sort()
      .map((s) => `${s}://`);
    const known = loaded.length === 0 ? 'none' : loaded.join(', ');
    throw sessionError(
      'unavailable',
      CTX,
      pkg === undefined
        ? `no backend serves ${scheme}://: import the package that provides it, or pass it in options.backends (schemes loaded: ${known})`
        : `${scheme}:// is served by ${pkg}: install it (npm install ${pkg}) and import it once (import '${pkg}'), or pass its backend in options.backends (schemes loaded: ${known})`,
      undefined,
      'missing_package',
    );
  }
  return backend.open(url, backendOptions as Record<string, unknown> | undefined);
}
