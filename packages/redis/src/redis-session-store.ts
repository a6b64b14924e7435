import type {
  CountSessionsOptions,
  ListSessionsOptions,
  PurgeSessionsOptions,
  PurgeSessionsResult,
  SessionAdmin,
  SessionInput,
  SessionPage,
  SessionStore,
  SessionStoreEventName,
  SessionStoreListener,
  SessionTelemetryOptions,
  TenantOptions,
  TenantSessionStore,
  UpdateCasResult,
} from '@greentic/session-core';
import {
  assertTenantFence,
  createTenantView,
  describeValue,
  instrumentStore,
  invalidInput,
  type OpContext,
  prepareSessionWrite,
  readInput,
  readOptions,
  resolveSessionLimits,
  StoreObserver,
  validateCas,
  validateSessionKey,
  validateTenantOptions,
  validateTouchTtl,
} from '@greentic/session-core/backend';
import type {
  Cas,
  SessionKey,
  SessionLimits,
  SessionSnapshot,
  StoredSession,
} from '@greentic/session-types';
import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';
import { RedisSessionAdmin } from './admin.js';
import { decodeValue } from './codec.js';
import { storeGet } from './command.js';
import { type ConnectionSource, type RedisClient, RedisConnection } from './connection.js';
import { DEFAULT_NAMESPACE, sessionRedisKey, validateNamespace } from './keys.js';
import { connectionTarget, watchConnection } from './observe-connection.js';
import {
  decodeFlagReply,
  decodePutReply,
  decodeUpdateCasReply,
  deleteArgs,
  putArgs,
  type SessionScripts,
  storeScripts,
  touchArgs,
  updateCasArgs,
} from './scripts.js';
import { type RedisServerInfo, readServerInfo } from './server-info.js';
import { parseRedisUrl } from './url.js';

export type { RedisClient } from './connection.js';

const PKG = '@greentic/session-redis';

/** Default of {@link RedisSessionStoreOptions.commandTimeoutMs}. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

/** Options of {@link RedisSessionStore}. Give exactly one of `url`, `clusterNodes`, `client`. */
export interface RedisSessionStoreOptions {
  /**
   * `redis://[user:pass@]host[:port][/db]`, `rediss://…` (TLS), or
   * `redis+cluster://host1:port1,host2:port2`, or
   * `redis+sentinel://s1:26379,s2:26379/mymaster` (see {@link parseRedisUrl}).
   * Its `namespace` and `commandTimeoutMs` parameters win over the options.
   * The store opens the client and closes it in `close()`.
   */
  url?: string | undefined;
  /**
   * Seed nodes of a Redis Cluster (`{ host, port }`). The store opens the
   * `Cluster` client and closes it in `close()`.
   */
  clusterNodes?: readonly ClusterNode[] | undefined;
  /**
   * An ioredis `Redis` or `Cluster` client you own; the store never closes it.
   * A `keyPrefix` on it is honoured by every operation (every key goes through
   * `KEYS`). Configure it like the store's own clients (README): with
   * `enableOfflineQueue: false` and `maxRetriesPerRequest: 0`, `unavailable`
   * keeps meaning "nothing was sent"; a Cluster needs `retryDelayOnFailover: 0`
   * or ioredis may send a write twice. Without a `commandTimeout` of its own,
   * the store enforces `commandTimeoutMs` on every reply itself.
   */
  client?: RedisClient | undefined;
  /**
   * Prefix of every key: printable ASCII without whitespace or braces.
   * @default 'greentic:session'
   */
  namespace?: string | undefined;
  /**
   * Longest wait, in milliseconds, for a connection (then `unavailable`:
   * nothing was sent) and for a reply (then `timeout`: it may have been applied).
   * @default 1000
   */
  commandTimeoutMs?: number | undefined;
  /**
   * Extra ioredis options for a client the store opens (for each node of a
   * cluster). They override the store's defaults.
   */
  redisOptions?: RedisOptions | undefined;
  /**
   * Extra ioredis `Cluster` options for a cluster the store opens.
   * `retryDelayOnFailover` must be 0 or left out (`invalid_input` otherwise):
   * a command is never sent again after its connection closed.
   */
  clusterOptions?: ClusterOptions | undefined;
  /**
   * Size limits every write enforces (any of `SessionLimits`; the rest keep
   * their defaults, `DEFAULT_SESSION_LIMITS`). Over a limit a write throws
   * `invalid_input` before anything is sent.
   */
  limits?: Partial<SessionLimits> | undefined;
  /**
   * OpenTelemetry: omitted, the globally registered providers when
   * `@opentelemetry/api` is installed; `false`, none. See the README.
   */
  telemetry?: SessionTelemetryOptions | false | undefined;
}

const CTX = {
  constructor: { pkg: PKG, op: 'RedisSessionStore' },
  get: { pkg: PKG, op: 'get' },
  put: { pkg: PKG, op: 'put' },
  updateCas: { pkg: PKG, op: 'updateCas' },
  touch: { pkg: PKG, op: 'touch' },
  delete: { pkg: PKG, op: 'delete' },
  ready: { pkg: PKG, op: 'ready' },
} as const satisfies Record<string, OpContext>;

const KNOWN_OPTIONS = [
  'url',
  'clusterNodes',
  'client',
  'namespace',
  'commandTimeoutMs',
  'redisOptions',
  'clusterOptions',
  'limits',
  'telemetry',
] as const;

function validateTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_COMMAND_TIMEOUT_MS;
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw invalidInput(
      CTX.constructor,
      `commandTimeoutMs must be a positive integer, got ${describeValue(value)}`,
    );
  }
  return value as number;
}

/** Checks the options and says where to connect. */
function connectionSource(options: RedisSessionStoreOptions): {
  source: ConnectionSource;
  namespace: unknown;
  commandTimeoutMs: unknown;
} {
  const ctx = CTX.constructor;
  const given = [options.url, options.clusterNodes, options.client].filter((s) => s !== undefined);
  if (given.length !== 1) {
    throw invalidInput(
      ctx,
      'give exactly one of options.url, options.clusterNodes, options.client',
    );
  }
  const { namespace, commandTimeoutMs } = options;
  // ioredis would send a command again after its connection closed, maybe
  // after it ran: a write applied twice, or a compare-and-set that landed
  // reported as a conflict.
  const resend = readInput(
    ctx,
    'options.clusterOptions',
    () =>
      (options.clusterOptions as { retryDelayOnFailover?: unknown } | undefined)
        ?.retryDelayOnFailover,
  );
  if (resend !== undefined && resend !== 0) {
    throw invalidInput(
      ctx,
      `options.clusterOptions.retryDelayOnFailover must be 0 or left out (a command is never sent again after its connection closed: it may have run), got ${describeValue(resend)}`,
    );
  }
  if (options.client !== undefined) {
    const client = options.client;
    // Duck-typed rather than instanceof, so a client from another installed
    // copy of ioredis (5 or 6) is accepted too.
    const c = client as unknown as Partial<Record<'defineCommand' | 'get' | 'on', unknown>>;
    if (
      typeof client !== 'object' ||
      client === null ||
      typeof c.defineCommand !== 'function' ||
      typeof c.get !== 'function' ||
      typeof c.on !== 'function'
    ) {
      throw invalidInput(ctx, 'options.client must be an ioredis Redis or Cluster instance');
    }
    return { source: { kind: 'client', client }, namespace, commandTimeoutMs };
  }
  if (options.clusterNodes !== undefined) {
    if (!Array.isArray(options.clusterNodes) || options.clusterNodes.length === 0) {
      throw invalidInput(ctx, 'clusterNodes must be a non-empty array');
    }
    return {
      source: {
        kind: 'cluster',
        nodes: options.clusterNodes,
        redisOptions: options.redisOptions,
        clusterOptions: options.clusterOptions,
      },
      namespace,
      commandTimeoutMs,
    };
  }
  const parsed = parseRedisUrl(options.url as string);
  const fromUrl = {
    namespace: parsed.namespace ?? namespace,
    commandTimeoutMs: parsed.commandTimeoutMs ?? commandTimeoutMs,
  };
  if (parsed.mode === 'cluster') {
    return {
      source: {
        kind: 'cluster',
        nodes: parsed.nodes,
        redisOptions: { ...parsed.redisOptions, ...options.redisOptions },
        clusterOptions: options.clusterOptions,
      },
      ...fromUrl,
    };
  }
  if (parsed.mode === 'sentinel') {
    return {
      source: {
        kind: 'standalone',
        options: {
          sentinels: parsed.nodes.map((n) => ({ host: n.host, port: n.port })),
          name: parsed.masterName as string,
          ...(parsed.redisOptions.tls === undefined ? {} : { enableTLSForSentinelMode: true }),
          ...parsed.redisOptions,
          ...options.redisOptions,
        },
      },
      ...fromUrl,
    };
  }
  const [node] = parsed.nodes as [{ host: string; port: number }];
  return {
    source: {
      kind: 'standalone',
      options: {
        host: node.host,
        port: node.port,
        ...parsed.redisOptions,
        ...options.redisOptions,
      },
    },
    ...fromUrl,
  };
}

/**
 * Production `SessionStore` on Redis (standalone or Cluster) through ioredis.
 *
 * One key per session (`<ns>:{<key>}`, a string holding owner, cas, id,
 * timestamps and the JSON), so ownership and data can never be split by
 * eviction, expiry or a partial restore. Every operation is one round trip:
 * a `get` is one plain `GET` (fenced or not), each write one atomic Lua script
 * with the tenant fence, the ABA check and the cas check inside. Sessions
 * expire natively in Redis, from the server's clock. See the package README
 * for the layout and the meaning of each error.
 *
 * @example
 * ```ts
 * const store = new RedisSessionStore({ url: 'redis://127.0.0.1:6379/0', namespace: 'bots' });
 * await store.ready(); // fail fast at startup
 * const cas = await store.put(session);
 * await store.close();
 * ```
 */
export class RedisSessionStore implements SessionStore, SessionAdmin {
  /** Prefix of every key of this store. */
  readonly namespace: string;
  /** Connection wait and reply deadline, in milliseconds. */
  readonly commandTimeoutMs: number;
  /** The size limits every write enforces. */
  readonly limits: SessionLimits;
  readonly #connection: RedisConnection;
  readonly #scripts: SessionScripts;
  /** GET on the store's client (see `storeScripts` for which commands). */
  readonly #get: (redisKey: string) => Promise<string | null>;
  readonly #admin: RedisSessionAdmin;
  readonly #observer: StoreObserver;
  readonly #unwatch: () => void;

  /**
   * @param options - where to connect (`url`, `clusterNodes` or `client`), namespace, timeout
   * @throws SessionError `invalid_input` for a bad option (messages never contain credentials)
   */
  constructor(options: RedisSessionStoreOptions) {
    const ctx = CTX.constructor;
    // Each option is read once, into a plain record (see core's readOptions).
    const given = readOptions(options, KNOWN_OPTIONS, ctx, 'options') as RedisSessionStoreOptions;
    this.limits = resolveSessionLimits(given.limits, ctx);
    const { source, namespace, commandTimeoutMs } = connectionSource(given);
    this.namespace =
      namespace === undefined ? DEFAULT_NAMESPACE : validateNamespace(namespace, ctx);
    this.commandTimeoutMs = validateTimeout(commandTimeoutMs);
    // Before the connection opens: a bad `telemetry` option throws with nothing opened.
    this.#observer = new StoreObserver({
      pkg: PKG,
      system: 'redis',
      telemetry: given.telemetry,
      collection: this.namespace,
      ctx,
    });
    this.#connection = new RedisConnection(source, this.commandTimeoutMs);
    this.#scripts = storeScripts(this.#connection.client, this.#connection.ownDeadlineMs);
    this.#get = storeGet(this.#connection.client, this.#connection.ownDeadlineMs);
    this.#admin = new RedisSessionAdmin(this.#connection, this.namespace);
    this.#observer.describeServer(connectionTarget(this.#connection));
    instrumentStore(this, this.#observer);
    this.#unwatch = watchConnection(this.#connection, this.#observer);
  }

  /**
   * Hooks: `error` (also connection errors, as they happen), `conflict`,
   * `retry` (from `mutate`), `connect` and `disconnect`. See the README.
   *
   * @returns a function that removes the listener
   */
  on<E extends SessionStoreEventName>(event: E, listener: SessionStoreListener<E>): () => void {
    return this.#observer.on(event, listener);
  }

  /**
   * Connects (waiting at most `commandTimeoutMs`), then reads what the store
   * depends on from every master: Redis version, `maxmemory-policy`, and
   * cluster state, with each master's address and `PING` round trip. Call it at startup to fail fast with a clear error instead
   * of on the first operation.
   *
   * @returns what was found, with `warnings` for settings that weaken the
   *   guarantees (an eviction policy other than `noeviction`: sessions may
   *   vanish under memory pressure like an expiry; the tenant fence still holds)
   * @throws SessionError `unavailable` (no connection, wrong password, missing
   *   database, cluster not ok: the message says which) | `timeout`
   */
  async ready(): Promise<RedisServerInfo> {
    return readServerInfo(this.#connection, CTX.ready);
  }

  /**
   * Reads a live session and its cas: one `GET`. With `opts.tenantId`, a
   * session of another owner reads as null.
   *
   * @throws SessionError `invalid_input` | `unavailable` | `timeout` |
   *   `internal` (the key holds a value that is not a session)
   */
  get(key: SessionKey, opts?: TenantOptions): Promise<StoredSession | null> {
    const ctx = CTX.get;
    let redisKey: string;
    let tenantId: string | undefined;
    try {
      validateSessionKey(key, ctx);
      tenantId = validateTenantOptions(opts, ctx);
      redisKey = sessionRedisKey(this.namespace, key);
    } catch (err) {
      return Promise.reject(err);
    }
    const read = this.#get;
    // Not async: the hot path is the GET and one `then` that decodes.
    return this.#connection.run(
      ctx,
      () => read(redisKey),
      (raw) => decodeValue(raw, key, tenantId, ctx),
    );
  }

  /**
   * Creates or replaces a session in one script: stamps `updatedAt`, dedupes
   * the outbox and restarts the expiry.
   *
   * @param opts - with `tenantId`, the session must belong to that tenant
   * @returns 1 for a new (or expired) key, else the stored cas + 1
   * @throws SessionError `tenant_mismatch` when another tenant owns the key (nothing written);
   *   `invalid_input` | `unavailable` | `timeout` | `internal`
   */
  async put(session: SessionInput, opts?: TenantOptions): Promise<Cas> {
    const ctx = CTX.put;
    const nowMs = Date.now();
    const tenantId = validateTenantOptions(opts, ctx);
    const snapshot = prepareSessionWrite(session, ctx, nowMs, undefined, this.limits);
    assertTenantFence(snapshot, tenantId, ctx);
    const args = putArgs(this.#key(snapshot), snapshot, nowMs);
    return this.#connection.run(
      ctx,
      () => this.#scripts.put(...args),
      (reply) => decodePutReply(ctx, reply, snapshot),
    );
  }

  /**
   * Compare-and-set write in one script: writes only when a live session with
   * the same `id` and cas `expected` is stored.
   *
   * @param opts - with `tenantId`, the session must belong to that tenant
   * @throws SessionError `tenant_mismatch` when another tenant owns the key (nothing written);
   *   `invalid_input` | `unavailable` | `timeout` | `internal`
   */
  async updateCas(
    session: SessionInput,
    expected: Cas,
    opts?: TenantOptions,
  ): Promise<UpdateCasResult> {
    const ctx = CTX.updateCas;
    const nowMs = Date.now();
    const tenantId = validateTenantOptions(opts, ctx);
    // Session first, then the cas, then the fence: the same order of checks as
    // every backend. From here on only the validated copy is read.
    const snapshot = prepareSessionWrite(session, ctx, nowMs, undefined, this.limits);
    validateCas(expected, ctx);
    assertTenantFence(snapshot, tenantId, ctx);
    const args = updateCasArgs(this.#key(snapshot), snapshot, nowMs, expected);
    return this.#connection.run(
      ctx,
      () => this.#scripts.updateCas(...args),
      (reply) => decodeUpdateCasReply(ctx, reply, snapshot, expected),
    );
  }

  /**
   * Deletes a live session in one script.
   *
   * @returns whether a session was deleted
   * @throws SessionError `invalid_input` | `unavailable` | `timeout` | `internal`
   */
  async delete(key: SessionKey, opts?: TenantOptions): Promise<boolean> {
    const ctx = CTX.delete;
    validateSessionKey(key, ctx);
    const tenantId = validateTenantOptions(opts, ctx);
    const args = deleteArgs(sessionRedisKey(this.namespace, key), tenantId);
    return this.#connection.run(
      ctx,
      () => this.#scripts.delete(...args),
      (reply) => decodeFlagReply(ctx, reply, key),
    );
  }

  /**
   * Bumps `updatedAt` and restarts the expiry in one script; sets `ttlSecs`
   * when given, keeps it when null or omitted. Never resurrects.
   *
   * @returns false for a missing or expired key (or, fenced, another tenant's)
   * @throws SessionError `invalid_input` | `unavailable` | `timeout` | `internal`
   */
  async touch(key: SessionKey, ttlSecs?: number | null, opts?: TenantOptions): Promise<boolean> {
    const ctx = CTX.touch;
    validateSessionKey(key, ctx);
    const ttl = validateTouchTtl(ttlSecs, ctx);
    const tenantId = validateTenantOptions(opts, ctx);
    const args = touchArgs(sessionRedisKey(this.namespace, key), tenantId, Date.now(), ttl);
    return this.#connection.run(
      ctx,
      () => this.#scripts.touch(...args),
      (reply) => decodeFlagReply(ctx, reply, key),
    );
  }

  /**
   * One page of the tenant's live sessions matching the filter, by SCAN over
   * every master (bounded work per page: the page may hold fewer than
   * `limit` sessions while `cursor` is not null). See the README.
   *
   * @throws SessionError `invalid_input` for bad options or a cursor this
   *   store did not return for this filter | `unavailable` | `timeout`
   */
  listSessions(opts: ListSessionsOptions): Promise<SessionPage> {
    return this.#admin.listSessions(opts);
  }

  /**
   * How many live sessions of the tenant match the filter (a SCAN of every
   * master, in batches, with progress and abort between batches).
   *
   * @throws SessionError `invalid_input` | `unavailable` | `timeout`; the signal's reason
   */
  countSessions(opts: CountSessionsOptions): Promise<number> {
    return this.#admin.countSessions(opts);
  }

  /**
   * Deletes the tenant's live sessions matching the filter, each with the
   * atomic delete script fenced to the tenant and to the incarnation seen by
   * the scan, pipelined per SCAN batch.
   *
   * @throws SessionError `invalid_input` | `unavailable` | `timeout`; the signal's reason
   */
  purgeSessions(opts: PurgeSessionsOptions): Promise<PurgeSessionsResult> {
    return this.#admin.purgeSessions(opts);
  }

  /**
   * A view of this store where every call is fenced to `tenantId`.
   *
   * @throws SessionError `invalid_input` for a bad tenant id
   */
  forTenant(tenantId: string): TenantSessionStore {
    return createTenantView(this, tenantId);
  }

  /**
   * Closes the client if the store opened it (a client passed in is left
   * open). Idempotent; later operations throw `unavailable`.
   */
  async close(): Promise<void> {
    await this.#connection.close();
    this.#unwatch();
    this.#observer.close();
  }

  #key(snapshot: SessionSnapshot): string {
    return sessionRedisKey(this.namespace, snapshot.key);
  }
}

/**
 * Creates a {@link RedisSessionStore}; the same as `new RedisSessionStore(options)`.
 *
 * @throws SessionError `invalid_input` for a bad option
 */
export function createRedisSessionStore(options: RedisSessionStoreOptions): RedisSessionStore {
  return new RedisSessionStore(options);
}
