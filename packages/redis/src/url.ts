import { describeValue, invalidInput, type OpContext } from '@greentic/session-core/backend';
import type { RedisOptions } from 'ioredis';
import { redactUrl } from './errors.js';

const CTX: OpContext = { pkg: '@greentic/session-redis', op: 'parseRedisUrl' };

/** Highest database number a URL may name (Redis's own bound on `databases`). */
export const MAX_DATABASE = 2_147_483_647;

/** What {@link parseRedisUrl} found in a URL. */
export interface ParsedRedisUrl {
  /**
   * `standalone` for redis:// and rediss://, `cluster` for the `+cluster`
   * forms, `sentinel` for the `+sentinel` forms.
   */
  readonly mode: 'standalone' | 'cluster' | 'sentinel';
  /** Standalone: the one server. Cluster: the seed nodes. Sentinel: the sentinels. */
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  /** Sentinel only: the name of the monitored master. */
  readonly masterName?: string;
  /**
   * Connection options taken from the URL: credentials, TLS and (standalone)
   * the database. Never echoed in an error message.
   */
  readonly redisOptions: RedisOptions;
  /** `?namespace=`, if given. */
  readonly namespace?: string;
  /** `?commandTimeoutMs=`, if given. */
  readonly commandTimeoutMs?: number;
}

function shown(url: string): string {
  return describeValue(redactUrl(url));
}

function decimal(text: string, max: number): number | undefined {
  if (!/^(0|[1-9]\d{0,15})$/.test(text)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

function decode(part: string, field: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalidInput(CTX, `the ${field} in the URL is not valid percent-encoding`);
  }
}

function parseHost(spec: string, url: string, defaultPort: number): { host: string; port: number } {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::([^:]*))?$/.exec(spec);
  if (m === null || m[1] === undefined) {
    throw invalidInput(
      CTX,
      `host ${describeValue(spec)} in ${shown(url)} must look like host or host:port`,
    );
  }
  const port = m[2] === undefined ? defaultPort : decimal(m[2], 65_535);
  if (port === undefined || port < 1) {
    throw invalidInput(CTX, `port ${describeValue(m[2])} must be a decimal 1..65535`);
  }
  const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  return { host, port };
}

/**
 * Parses a store URL, strictly: `redis://[user:pass@]host[:port][/db][?namespace=x&commandTimeoutMs=n]`,
 * `rediss://…` (TLS), the cluster form
 * `redis+cluster://[user:pass@]host1:7000,host2:7001[?namespace=x]` (`rediss+cluster://` for TLS),
 * or the Sentinel form `redis+sentinel://[user:pass@]sentinel1:26379,sentinel2:26379/<master name>[/db]`
 * (the credentials authenticate to the master; sentinels that need a password
 * take `redisOptions.sentinelPassword`).
 * The database is a decimal 0..2147483647 (a database the server lacks fails
 * on first use; nothing is ever written to another one); ports are 1..65535.
 * No other query parameter and no fragment is accepted. Error messages never
 * contain the credentials.
 *
 * @param url - the URL
 * @throws SessionError `invalid_input` for a malformed URL or parameter
 */
export function parseRedisUrl(url: string): ParsedRedisUrl {
  if (typeof url !== 'string') {
    throw invalidInput(CTX, `url must be a string, got ${describeValue(url)}`);
  }
  const m =
    /^(redis|rediss)(\+cluster|\+sentinel)?:\/\/(?:([^@/?#]*)@)?([^@/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(
      url,
    );
  if (m === null || m[1] === undefined) {
    throw invalidInput(
      CTX,
      `url must look like redis://host:port/db, rediss://…, redis+cluster://host1:port1,host2:port2 or redis+sentinel://s1:26379,s2:26379/mymaster, got ${shown(url)}`,
    );
  }
  const tls = m[1].toLowerCase() === 'rediss';
  const variant = m[2]?.toLowerCase();
  const cluster = variant === '+cluster';
  const sentinel = variant === '+sentinel';
  const auth = m[3];
  const hosts = m[4] ?? '';
  const path = m[5] ?? '';
  let namespace: string | undefined;
  let commandTimeoutMs: number | undefined;
  for (const [name, value] of new URLSearchParams(m[6] ?? '')) {
    if (name === 'namespace') namespace = value;
    else if (name === 'commandTimeoutMs') {
      commandTimeoutMs = decimal(value, 999_999_999);
      if (commandTimeoutMs === undefined || commandTimeoutMs < 1) {
        throw invalidInput(
          CTX,
          `commandTimeoutMs must be a positive integer, got ${describeValue(value)}`,
        );
      }
    } else {
      throw invalidInput(
        CTX,
        `unknown query parameter ${describeValue(name)}; the URL takes namespace and commandTimeoutMs (pass ioredis options as redisOptions)`,
      );
    }
  }
  if (hosts === '') throw invalidInput(CTX, `url must name a host, got ${shown(url)}`);
  const nodes = hosts.split(',').map((spec) => parseHost(spec, url, sentinel ? 26_379 : 6379));
  const redisOptions: RedisOptions = {};
  let masterName: string | undefined;
  if (sentinel) {
    const [, name = '', dbText, ...rest] = path.split('/');
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(name) || rest.length > 0) {
      throw invalidInput(
        CTX,
        `a sentinel URL names its master as the path, like redis+sentinel://s1:26379,s2:26379/mymaster[/db], got path ${describeValue(path)}`,
      );
    }
    masterName = name;
    const db = dbText === undefined || dbText === '' ? 0 : decimal(dbText, MAX_DATABASE);
    if (db === undefined) {
      throw invalidInput(
        CTX,
        `the database ${describeValue(dbText)} must be a decimal 0..${MAX_DATABASE}`,
      );
    }
    if (db !== 0) redisOptions.db = db;
  } else if (!cluster) {
    if (nodes.length !== 1)
      throw invalidInput(CTX, `a standalone URL names one host; use redis+cluster:// for several`);
    const db = path === '' || path === '/' ? 0 : decimal(path.slice(1), MAX_DATABASE);
    if (db === undefined) {
      throw invalidInput(
        CTX,
        `the database ${describeValue(path.slice(1))} must be a decimal 0..${MAX_DATABASE}`,
      );
    }
    if (db !== 0) redisOptions.db = db;
  } else if (path !== '' && path !== '/' && path !== '/0') {
    throw invalidInput(CTX, `a cluster has only database 0, got path ${describeValue(path)}`);
  }
  if (auth !== undefined && auth !== '') {
    const colon = auth.indexOf(':');
    const user = colon === -1 ? '' : auth.slice(0, colon);
    const pass = colon === -1 ? auth : auth.slice(colon + 1);
    if (user !== '') redisOptions.username = decode(user, 'username');
    if (pass !== '') redisOptions.password = decode(pass, 'password');
  }
  if (tls) redisOptions.tls = {};
  return {
    mode: cluster ? 'cluster' : sentinel ? 'sentinel' : 'standalone',
    nodes,
    ...(masterName === undefined ? {} : { masterName }),
    redisOptions,
    ...(namespace === undefined ? {} : { namespace }),
    ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }),
  };
}
