import { createSessionStore, type SessionStore } from '@greentic/session-core';
import { memoryBackend } from '@greentic/session-memory';
import { parseRedisUrl, redactUrl, redisBackend } from '@greentic/session-redis';
import { CliError } from './errors.js';
import { URL_ENV, urlSecrets } from './io.js';

/** Where the store is and how to open it, from the command line and the environment. */
export interface StoreTarget {
  /** The URL as given (it may hold a password: never print it). */
  readonly url: string;
  /** The URL with its credentials replaced by `***`: what the CLI shows. */
  readonly shown: string;
  /** The URL's password, raw and percent-decoded: scrubbed from every output. */
  readonly secrets: readonly string[];
  /** Options for the backend (`namespace`, `commandTimeoutMs`), only those given. */
  readonly backendOptions: Readonly<Record<string, unknown>>;
}

/** Global options of `greentic-session` that say where the store is. */
export interface StoreOptions {
  /** `--url`. */
  readonly url?: string | undefined;
  /** `--namespace`: key prefix of a Redis store. */
  readonly namespace?: string | undefined;
  /** `--timeout`: the Redis store's `commandTimeoutMs`. */
  readonly timeout?: number | undefined;
}

const REDIS_SCHEME = /^rediss?(\+cluster|\+sentinel)?:\/\//i;
const BACKENDS = [redisBackend, memoryBackend] as const;
const SCHEMES: readonly string[] = BACKENDS.flatMap((b) => b.schemes);

/**
 * Resolves the store from `--url` (or `GREENTIC_SESSION_URL`), `--namespace`
 * and `--timeout`, without opening anything.
 *
 * @param options - the global options
 * @param env - the environment
 * @throws CliError `usage` when no URL is given, or `--namespace` is given for
 *   a URL that names its own or for a store that has none
 */
export function resolveStoreTarget(
  options: StoreOptions,
  env: Readonly<Record<string, string | undefined>>,
): StoreTarget {
  const url = options.url ?? env[URL_ENV] ?? '';
  if (url === '') {
    throw new CliError('usage', `no store URL: pass --url or set ${URL_ENV}`);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || !SCHEMES.includes(scheme)) {
    // Only the scheme is shown: the rest may hold a password.
    throw new CliError(
      'usage',
      `the store URL must start with ${SCHEMES.map((s) => `${s}://`).join(', ')}${scheme === undefined ? '' : `; got ${scheme}://`}`,
    );
  }
  const backendOptions: Record<string, unknown> = {};
  if (options.namespace !== undefined) {
    if (!REDIS_SCHEME.test(url)) {
      throw new CliError('usage', '--namespace applies to redis:// URLs only');
    }
    // parseRedisUrl reports a malformed URL without echoing its credentials.
    if (parseRedisUrl(url).namespace !== undefined) {
      throw new CliError(
        'usage',
        'the URL already names a namespace (?namespace=); drop --namespace or the parameter',
      );
    }
    backendOptions.namespace = options.namespace;
  }
  if (options.timeout !== undefined) backendOptions.commandTimeoutMs = options.timeout;
  return Object.freeze({
    url,
    shown: redactUrl(url),
    secrets: Object.freeze(urlSecrets(url)),
    backendOptions: Object.freeze(backendOptions),
  });
}

/**
 * Opens the store with the Redis and memory backends (passed explicitly, so
 * nothing depends on an import's side effect).
 *
 * @param target - from {@link resolveStoreTarget}
 * @throws SessionError `invalid_input` for a malformed URL or option;
 *   `unavailable` (`missing_package`) for a scheme neither backend serves
 */
export function openStore(target: StoreTarget): Promise<SessionStore> {
  return createSessionStore(target.url, {
    backends: BACKENDS,
    ...(Object.keys(target.backendOptions).length === 0
      ? {}
      : { backendOptions: { ...target.backendOptions } }),
  });
}
