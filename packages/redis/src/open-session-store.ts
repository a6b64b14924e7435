import { describeValue, invalidInput, type OpContext } from '@greentic/session-core';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { RedisSessionStore, type RedisSessionStoreOptions } from './redis-session-store.js';

const CTX: OpContext = { pkg: '@greentic/session-redis', op: 'openSessionStore' };

/** Options of {@link openSessionStore}; query parameters of the URL take precedence. */
export interface OpenSessionStoreOptions {
  /** See {@link RedisSessionStoreOptions.namespace}. @default 'greentic:session' */
  namespace?: string;
  /** See {@link RedisSessionStoreOptions.commandTimeoutMs}. @default 1000 */
  commandTimeoutMs?: number;
  /** See {@link RedisSessionStoreOptions.redisOptions}. */
  redisOptions?: RedisOptions;
  /** See {@link RedisSessionStoreOptions.clusterOptions}. */
  clusterOptions?: ClusterOptions;
}

/** What {@link parseRedisUrl} found in a URL. */
export interface ParsedRedisUrl {
  /** `standalone` for redis:// and rediss://, `cluster` for the `+cluster` forms. */
  readonly mode: 'standalone' | 'cluster';
  /** The URL handed to ioredis (standalone only), without the store's query parameters. */
  readonly url?: string;
  /** Seed nodes (cluster only). */
  readonly nodes?: readonly { readonly host: string; readonly port: number }[];
  /** Connection options taken from the URL (cluster only): credentials and TLS. */
  readonly redisOptions?: RedisOptions;
  /** `?namespace=`, if given. */
  readonly namespace?: string;
  /** `?commandTimeoutMs=`, if given. */
  readonly commandTimeoutMs?: number;
}

function timeoutParam(value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value)) {
    throw invalidInput(
      CTX,
      `commandTimeoutMs must be a positive integer, got ${describeValue(value)}`,
    );
  }
  return Number(value);
}

function decode(part: string, field: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalidInput(CTX, `the ${field} in the URL is not valid percent-encoding`);
  }
}

function parseHost(spec: string): { host: string; port: number } {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(spec);
  const port = m?.[2] === undefined ? 6379 : Number(m[2]);
  if (m === null || m[1] === undefined || port < 1 || port > 65535) {
    throw invalidInput(CTX, `cluster node ${describeValue(spec)} must look like host:port`);
  }
  const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  return { host, port };
}

/**
 * Parses a store URL: `redis://[user:pass@]host[:port][/db][?namespace=x&commandTimeoutMs=n]`,
 * `rediss://…` (TLS), or the cluster form
 * `redis+cluster://[user:pass@]host1:7000,host2:7001[?namespace=x]` (`rediss+cluster://` for TLS).
 * Other query parameters of a standalone URL are passed on to ioredis.
 *
 * @throws SessionError `invalid_input` for a malformed URL or parameter
 */
export function parseRedisUrl(url: string): ParsedRedisUrl {
  if (typeof url !== 'string') {
    throw invalidInput(CTX, `url must be a string, got ${describeValue(url)}`);
  }
  const m =
    /^(redis|rediss)(\+cluster)?:\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(
      url,
    );
  if (m === null || m[1] === undefined) {
    throw invalidInput(
      CTX,
      `url must look like redis://host:port/db, rediss://…, or redis+cluster://host1:port1,host2:port2, got ${describeValue(url)}`,
    );
  }
  const tls = m[1].toLowerCase() === 'rediss';
  const cluster = m[2] !== undefined;
  const auth = m[3];
  const hosts = m[4] ?? '';
  const path = m[5] ?? '';
  const query = new URLSearchParams(m[6] ?? '');
  let namespace: string | undefined;
  let commandTimeoutMs: number | undefined;
  const rest = new URLSearchParams();
  for (const [name, value] of query) {
    if (name === 'namespace') namespace = value;
    else if (name === 'commandTimeoutMs') commandTimeoutMs = timeoutParam(value);
    else if (cluster) throw invalidInput(CTX, `unknown query parameter ${JSON.stringify(name)}`);
    else rest.append(name, value);
  }
  const extras = {
    ...(namespace === undefined ? {} : { namespace }),
    ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }),
  };
  if (!cluster) {
    if (hosts === '') throw invalidInput(CTX, 'url must name a host');
    const search = rest.toString();
    const base = url.slice(0, url.length - (m[6] === undefined ? 0 : m[6].length + 1));
    return { mode: 'standalone', url: search === '' ? base : `${base}?${search}`, ...extras };
  }
  if (path !== '' && path !== '/' && path !== '/0') {
    throw invalidInput(CTX, `a cluster has only database 0, got path ${describeValue(path)}`);
  }
  const nodes = hosts.split(',').map(parseHost);
  const redisOptions: RedisOptions = {};
  if (auth !== undefined && auth !== '') {
    const colon = auth.indexOf(':');
    const user = colon === -1 ? '' : auth.slice(0, colon);
    const pass = colon === -1 ? auth : auth.slice(colon + 1);
    if (user !== '') redisOptions.username = decode(user, 'username');
    if (pass !== '') redisOptions.password = decode(pass, 'password');
  }
  if (tls) redisOptions.tls = {};
  return { mode: 'cluster', nodes, redisOptions, ...extras };
}

/**
 * Opens a {@link RedisSessionStore} from a URL; this is what core's
 * `createSessionStore('redis://…')` calls. The store owns its client and
 * closes it in `close()`.
 *
 * @param url - `redis://`, `rediss://`, `redis+cluster://` or `rediss+cluster://` URL
 * @param options - defaults for what the URL does not say
 * @throws SessionError `invalid_input` for a malformed URL or option
 */
export function openSessionStore(
  url: string,
  options: OpenSessionStoreOptions = {},
): RedisSessionStore {
  if (typeof options !== 'object' || options === null) {
    throw invalidInput(CTX, `options must be an object, got ${describeValue(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!['namespace', 'commandTimeoutMs', 'redisOptions', 'clusterOptions'].includes(k)) {
      throw invalidInput(CTX, `options.${k} is not a known option`);
    }
  }
  const parsed = parseRedisUrl(url);
  const common: RedisSessionStoreOptions = {
    namespace: parsed.namespace ?? options.namespace,
    commandTimeoutMs: parsed.commandTimeoutMs ?? options.commandTimeoutMs,
  };
  if (parsed.mode === 'standalone') {
    return new RedisSessionStore({
      ...common,
      url: parsed.url,
      redisOptions: options.redisOptions,
    });
  }
  return new RedisSessionStore({
    ...common,
    clusterNodes: parsed.nodes,
    redisOptions: { ...parsed.redisOptions, ...options.redisOptions },
    clusterOptions: options.clusterOptions,
  });
}
