import {
  assertTenantFence,
  createTenantView,
  describeValue,
  invalidInput,
  type OpContext,
  prepareSessionWrite,
  type SessionInput,
  type SessionStore,
  sessionError,
  type TenantOptions,
  type TenantSessionStore,
  type UpdateCasResult,
  validateCas,
  validateSessionKey,
  validateTenantOptions,
  validateTouchTtl,
} from '@greentic/session-core';
import type {
  Cas,
  SessionError,
  SessionKey,
  SessionSnapshot,
  StoredSession,
} from '@greentic/session-types';
import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { toSessionError } from './errors.js';
import { DEFAULT_NAMESPACE, dataKey, dataKeyPrefix, lookupKey, validateNamespace } from './keys.js';
import { LUA_SCRIPTS } from './lua/scripts.generated.js';

const PKG = '@greentic/session-redis';

/** Default of {@link RedisSessionStoreOptions.commandTimeoutMs}. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

/** An ioredis client the store can run on: a standalone `Redis` or a `Cluster`. */
export type RedisClient = Redis | Cluster;

/** Options of {@link RedisSessionStore}. Give exactly one of `url`, `clusterNodes`, `client`. */
export interface RedisSessionStoreOptions {
  /**
   * `redis://[user:pass@]host[:port][/db]` or `rediss://…` (TLS) of a standalone
   * server. The store opens the client and closes it in `close()`.
   */
  url?: string | undefined;
  /**
   * Seed nodes of a Redis Cluster (`{ host, port }`). The store opens the
   * `Cluster` client and closes it in `close()`.
   */
  clusterNodes?: readonly ClusterNode[] | undefined;
  /**
   * An ioredis `Redis` or `Cluster` client you own. The store never closes it.
   * The command timeout still applies to every operation; for prompt failures
   * when the server is down, configure it like the store's own clients (see
   * the README: `maxRetriesPerRequest: 0`, `enableOfflineQueue: false`).
   */
  client?: RedisClient | undefined;
  /**
   * Prefix of every key: printable ASCII without whitespace or braces.
   * @default 'greentic:session'
   */
  namespace?: string | undefined;
  /**
   * Longest time, in milliseconds, an operation waits for a connection and a
   * reply before it throws `SessionError` (`unavailable` when the command
   * could not be sent, `timeout` when it was sent and no reply came).
   * @default 1000
   */
  commandTimeoutMs?: number | undefined;
  /**
   * Extra ioredis options for a client the store opens from `url` (or for
   * each node of a cluster it opens). They override the store's defaults.
   */
  redisOptions?: RedisOptions | undefined;
  /** Extra ioredis `Cluster` options for a cluster the store opens. */
  clusterOptions?: ClusterOptions | undefined;
}

type ScriptName = keyof typeof LUA_SCRIPTS;
type ScriptCommand = (...args: string[]) => Promise<unknown>;

// Command names on the ioredis client; namespaced so they cannot clash with
// commands the owner of a shared client defined.
const COMMANDS: Readonly<Record<ScriptName, string>> = Object.freeze({
  get: 'greenticSessionGet',
  put: 'greenticSessionPut',
  updateCas: 'greenticSessionUpdateCas',
  touch: 'greenticSessionTouch',
  delete: 'greenticSessionDelete',
});

const CTX = {
  constructor: { pkg: PKG, op: 'RedisSessionStore' },
  get: { pkg: PKG, op: 'get' },
  put: { pkg: PKG, op: 'put' },
  updateCas: { pkg: PKG, op: 'updateCas' },
  touch: { pkg: PKG, op: 'touch' },
  delete: { pkg: PKG, op: 'delete' },
  close: { pkg: PKG, op: 'close' },
} as const satisfies Record<string, OpContext>;

const noop = (): void => {};

interface Waiter {
  start(): void;
  abort(): void;
}

/** Reconnect forever with a short, capped backoff so the store recovers by itself. */
function retryDelayMs(times: number): number {
  return Math.min(50 * 2 ** Math.min(times - 1, 5), 1000);
}

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

/**
 * Production `SessionStore` on Redis (standalone or Cluster) through ioredis.
 *
 * Every operation is one round trip and atomic: a Lua script (EVALSHA) or,
 * for a fenced `get`, one HMGET. Sessions expire natively in Redis; the data
 * and lookup keys of a session always carry the same absolute expiry.
 * See the package README for the key layout and failure behaviour.
 *
 * @example
 * ```ts
 * const store = new RedisSessionStore({ url: 'redis://127.0.0.1:6379/0', namespace: 'bots' });
 * const cas = await store.put(session);
 * await store.close();
 * ```
 */
export class RedisSessionStore implements SessionStore {
  /** Prefix of every key of this store. */
  readonly namespace: string;
  /** Per-operation deadline in milliseconds. */
  readonly commandTimeoutMs: number;
  readonly #client: RedisClient;
  readonly #owned: boolean;
  readonly #waitForReady: boolean;
  readonly #prefix: string;
  readonly #scripts: Readonly<Record<ScriptName, ScriptCommand>>;
  readonly #waiters = new Set<Waiter>();
  readonly #onReady = (): void => {
    for (const waiter of [...this.#waiters]) waiter.start();
  };
  #lastError: unknown;
  #closed = false;

  /**
   * @param options - where to connect (`url`, `clusterNodes` or `client`), namespace, timeout
   * @throws SessionError `invalid_input` for a bad option
   */
  constructor(options: RedisSessionStoreOptions) {
    const ctx = CTX.constructor;
    if (typeof options !== 'object' || options === null) {
      throw invalidInput(ctx, `options must be an object, got ${describeValue(options)}`);
    }
    this.namespace =
      options.namespace === undefined
        ? DEFAULT_NAMESPACE
        : validateNamespace(options.namespace, ctx);
    this.commandTimeoutMs = validateTimeout(options.commandTimeoutMs);
    this.#prefix = dataKeyPrefix(this.namespace);
    const sources = [options.url, options.clusterNodes, options.client].filter(
      (s) => s !== undefined,
    );
    if (sources.length !== 1) {
      throw invalidInput(
        ctx,
        'give exactly one of options.url, options.clusterNodes, options.client',
      );
    }
    if (options.client !== undefined) {
      const client = options.client;
      // Duck-typed rather than instanceof, so a client from another installed
      // copy of ioredis is accepted too.
      const c = client as Partial<Record<'defineCommand' | 'hmget' | 'on', unknown>>;
      if (
        typeof client !== 'object' ||
        client === null ||
        typeof c.defineCommand !== 'function' ||
        typeof c.hmget !== 'function' ||
        typeof c.on !== 'function'
      ) {
        throw invalidInput(ctx, 'options.client must be an ioredis Redis or Cluster instance');
      }
      this.#client = client;
      this.#owned = false;
    } else if (options.url !== undefined) {
      this.#client = this.#openStandalone(options.url, options.redisOptions);
      this.#owned = true;
    } else {
      this.#client = this.#openCluster(
        options.clusterNodes,
        options.redisOptions,
        options.clusterOptions,
      );
      this.#owned = true;
    }
    // With the offline queue off, ioredis rejects commands until the connection
    // is ready; the store holds them itself, bounded by the command timeout, so
    // a command that waited here is never sent after its caller was told it failed.
    const clientOptions = this.#client.options as { enableOfflineQueue?: boolean };
    this.#waitForReady = clientOptions.enableOfflineQueue === false;
    if (this.#waitForReady) this.#client.on('ready', this.#onReady);
    const scripts = {} as Record<ScriptName, ScriptCommand>;
    for (const name of Object.keys(COMMANDS) as ScriptName[]) {
      const { lua, numberOfKeys } = LUA_SCRIPTS[name];
      // defineCommand runs EVALSHA and falls back to EVAL on NOSCRIPT.
      this.#client.defineCommand(COMMANDS[name], { lua, numberOfKeys });
      const command = (this.#client as unknown as Record<string, ScriptCommand>)[COMMANDS[name]];
      scripts[name] = (command as ScriptCommand).bind(this.#client);
    }
    this.#scripts = Object.freeze(scripts);
  }

  #openStandalone(url: unknown, extra: RedisOptions | undefined): Redis {
    if (typeof url !== 'string' || !/^rediss?:\/\//i.test(url)) {
      throw invalidInput(
        CTX.constructor,
        `url must start with redis:// or rediss://, got ${describeValue(url)}`,
      );
    }
    const client = new Redis(url, {
      ...this.#clientDefaults(),
      ...extra,
      // Our reply parsing relies on plain arrays (the RESP2 shapes).
      replyMapping: 'legacy',
    });
    client.on('error', (err: unknown) => {
      this.#lastError = err;
    });
    return client;
  }

  #openCluster(
    nodes: readonly ClusterNode[] | undefined,
    extra: RedisOptions | undefined,
    clusterExtra: ClusterOptions | undefined,
  ): Cluster {
    if (!Array.isArray(nodes) || nodes.length === 0) {
      throw invalidInput(CTX.constructor, 'clusterNodes must be a non-empty array');
    }
    const { retryStrategy: _r, enableOfflineQueue: _o, ...nodeDefaults } = this.#clientDefaults();
    const client = new Cluster([...nodes], {
      enableOfflineQueue: false,
      clusterRetryStrategy: retryDelayMs,
      slotsRefreshTimeout: this.commandTimeoutMs,
      ...clusterExtra,
      redisOptions: {
        ...nodeDefaults,
        ...extra,
        ...clusterExtra?.redisOptions,
        replyMapping: 'legacy',
      },
    });
    client.on('error', (err: unknown) => {
      this.#lastError = err;
    });
    return client;
  }

  #clientDefaults(): RedisOptions {
    return {
      commandTimeout: this.commandTimeoutMs,
      // A command in flight when the connection drops fails at once instead
      // of being replayed later, when its caller has already been answered.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      enableOfflineQueue: false,
      retryStrategy: retryDelayMs,
      connectTimeout: Math.max(this.commandTimeoutMs, 1000),
    };
  }

  /**
   * Runs one command under the deadline. Never rejects with anything but a
   * SessionError, and never leaves a rejection unhandled.
   */
  #exec<T>(ctx: OpContext, send: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      return Promise.reject(sessionError('unavailable', ctx, 'the store is closed'));
    }
    const client = this.#client;
    if (client.status === 'end') {
      return Promise.reject(
        sessionError('unavailable', ctx, 'the Redis client was closed', this.#lastError),
      );
    }
    return new Promise<T>((resolve, reject) => {
      let state: 'waiting' | 'sent' | 'done' = 'waiting';
      const settle = (): boolean => {
        if (state === 'done') return false;
        state = 'done';
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        return true;
      };
      const timer = setTimeout(() => {
        const sent = state === 'sent';
        if (!settle()) return;
        reject(
          sent
            ? sessionError(
                'timeout',
                ctx,
                `no reply from Redis within ${this.commandTimeoutMs} ms; the command may have been applied`,
              )
            : sessionError(
                'unavailable',
                ctx,
                `no Redis connection within ${this.commandTimeoutMs} ms; nothing was sent`,
                this.#lastError,
              ),
        );
      }, this.commandTimeoutMs);
      const waiter: Waiter = {
        start: () => {
          if (state !== 'waiting') return;
          state = 'sent';
          this.#waiters.delete(waiter);
          let reply: Promise<T>;
          try {
            reply = send();
          } catch (err) {
            reply = Promise.reject(err);
          }
          reply.then(
            (value) => {
              if (settle()) resolve(value);
            },
            (err: unknown) => {
              if (settle()) reject(toSessionError(err, ctx));
            },
          );
        },
        abort: () => {
          if (settle()) reject(sessionError('unavailable', ctx, 'the store was closed'));
        },
      };
      if (!this.#waitForReady || client.status === 'ready') {
        waiter.start();
      } else {
        this.#waiters.add(waiter);
        if (client.status === 'wait') client.connect().catch(noop);
      }
    });
  }

  /**
   * Reads a live session and its cas. Fenced (`opts.tenantId`): one HMGET of
   * the tenant's data key. Unfenced: one script that follows the lookup key.
   *
   * @throws SessionError `invalid_input` | `unavailable` | `timeout` | `internal`
   */
  async get(key: SessionKey, opts?: TenantOptions): Promise<StoredSession | null> {
    const ctx = CTX.get;
    if (this.#closed) throw sessionError('unavailable', ctx, 'the store is closed');
    validateSessionKey(key, ctx);
    const tenantId = validateTenantOptions(opts, ctx);
    if (tenantId !== undefined) {
      // Invariant that makes a plain HMGET a correct fenced read: data and
      // lookup keys are only ever written together by one script, carry the
      // same absolute expiry and are deleted together, and a script never
      // writes the data key of a tenant other than the lookup's owner. So a
      // live data key under <ns>:<tenant>:… implies <tenant> owns the key.
      const fields = await this.#exec(ctx, () =>
        this.#client.hmget(
          dataKey(this.namespace, tenantId, key),
          'session',
          'cas',
          'updatedAt',
          'ttl',
        ),
      );
      const [json, cas, updatedAt, ttl] = fields;
      if (json === null || json === undefined) return null;
      return this.#decode(ctx, key, json, cas, updatedAt, ttl);
    }
    const reply = await this.#exec(ctx, () =>
      this.#scripts.get(lookupKey(this.namespace, key), this.#prefix, key),
    );
    if (!Array.isArray(reply)) throw this.#unexpected(ctx, reply);
    if (reply.length === 0) return null;
    const hash = new Map<unknown, unknown>();
    for (let i = 0; i + 1 < reply.length; i += 2) hash.set(reply[i], reply[i + 1]);
    return this.#decode(
      ctx,
      key,
      hash.get('session'),
      hash.get('cas'),
      hash.get('updatedAt'),
      hash.get('ttl'),
    );
  }

  /**
   * Creates or replaces a session in one script: stamps `updatedAt`, dedupes
   * the outbox and restarts the expiry of both keys.
   *
   * @returns 1 for a new (or expired) key, else the stored cas + 1
   * @throws SessionError `tenant_mismatch` when another tenant owns the key (nothing written);
   *   `invalid_input` | `unavailable` | `timeout` | `internal`
   */
  async put(session: SessionInput, opts?: TenantOptions): Promise<Cas> {
    const ctx = CTX.put;
    const tenantId = validateTenantOptions(opts, ctx);
    if (this.#closed) throw sessionError('unavailable', ctx, 'the store is closed');
    const snapshot = prepareSessionWrite(session, ctx, Date.now());
    assertTenantFence(snapshot, tenantId, ctx);
    const reply = await this.#exec(ctx, () => this.#scripts.put(...this.#writeArgs(snapshot)));
    const [code, cas] = this.#codeReply(ctx, reply);
    if (code === 1 && isCas(cas)) return cas;
    if (code === -1) throw tenantMismatch(ctx, snapshot.key, snapshot.meta.tenantId);
    throw this.#unexpected(ctx, reply);
  }

  /**
   * Compare-and-set write in one script: writes only when a live session with
   * the same `id` and cas `expected` is stored.
   *
   * @throws SessionError `tenant_mismatch` when another tenant owns the key (nothing written);
   *   `invalid_input` | `unavailable` | `timeout` | `internal`
   */
  async updateCas(
    session: SessionInput,
    expected: Cas,
    opts?: TenantOptions,
  ): Promise<UpdateCasResult> {
    const ctx = CTX.updateCas;
    const tenantId = validateTenantOptions(opts, ctx);
    if (this.#closed) throw sessionError('unavailable', ctx, 'the store is closed');
    // Session first, then the cas: the same order of checks as every backend.
    const snapshot = prepareSessionWrite(session, ctx, Date.now());
    validateCas(expected, ctx);
    assertTenantFence(snapshot, tenantId, ctx);
    const reply = await this.#exec(ctx, () =>
      this.#scripts.updateCas(...this.#writeArgs(snapshot), String(expected), String(expected + 1)),
    );
    const [code, cas] = this.#codeReply(ctx, reply);
    switch (code) {
      case 1:
        if (cas === expected + 1) return { ok: true, cas, session: snapshot };
        break;
      case 0:
        return { ok: false, current: 0, reason: 'missing' };
      case 2:
        if (isCas(cas)) return { ok: false, current: cas, reason: 'replaced' };
        break;
      case 3:
        if (isCas(cas)) return { ok: false, current: cas, reason: 'stale' };
        break;
      case -1:
        throw tenantMismatch(ctx, snapshot.key, snapshot.meta.tenantId);
    }
    throw this.#unexpected(ctx, reply);
  }

  /**
   * Deletes a live session and its lookup key in one script.
   *
   * @returns whether a session was deleted
   * @throws SessionError `invalid_input` | `unavailable` | `timeout` | `internal`
   */
  async delete(key: SessionKey, opts?: TenantOptions): Promise<boolean> {
    const ctx = CTX.delete;
    if (this.#closed) throw sessionError('unavailable', ctx, 'the store is closed');
    validateSessionKey(key, ctx);
    const tenantId = validateTenantOptions(opts, ctx) ?? '';
    const reply = await this.#exec(ctx, () =>
      this.#scripts.delete(lookupKey(this.namespace, key), this.#prefix, key, tenantId),
    );
    return this.#flagReply(ctx, reply);
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
    if (this.#closed) throw sessionError('unavailable', ctx, 'the store is closed');
    validateSessionKey(key, ctx);
    const ttl = validateTouchTtl(ttlSecs, ctx);
    const tenantId = validateTenantOptions(opts, ctx) ?? '';
    const updatedAt = new Date(Date.now()).toISOString();
    const reply = await this.#exec(ctx, () =>
      this.#scripts.touch(
        lookupKey(this.namespace, key),
        this.#prefix,
        key,
        tenantId,
        updatedAt,
        ttl === null ? '' : String(ttl),
      ),
    );
    return this.#flagReply(ctx, reply);
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
    if (this.#closed) return;
    this.#closed = true;
    if (this.#waitForReady) this.#client.off('ready', this.#onReady);
    for (const waiter of [...this.#waiters]) waiter.abort();
    if (!this.#owned) return;
    const client = this.#client;
    if (client.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.quit().catch(noop),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.commandTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    client.disconnect();
  }

  #decode(
    ctx: OpContext,
    key: SessionKey,
    json: unknown,
    cas: unknown,
    updatedAt: unknown,
    ttl: unknown,
  ): StoredSession {
    const casNumber = Number(cas);
    const ttlSecs = Number(ttl);
    if (typeof json !== 'string' || !isCas(casNumber) || casNumber < 1 || typeof ttl !== 'string') {
      throw sessionError('internal', ctx, `the data hash of key ${JSON.stringify(key)} is damaged`);
    }
    let session: SessionSnapshot;
    try {
      const body: unknown = JSON.parse(json);
      if (
        typeof body !== 'object' ||
        body === null ||
        (body as { key?: unknown }).key !== key ||
        typeof (body as { id?: unknown }).id !== 'string'
      ) {
        throw new TypeError('the stored JSON is not a session of this key');
      }
      if (typeof updatedAt !== 'string' || !Number.isSafeInteger(ttlSecs)) {
        throw new TypeError('updatedAt or ttl is missing');
      }
      // Only scripts write this hash, and only with JSON that core validated
      // before sending, so a read parses and freezes without validating again
      // (the schema tests check stored sessions). updatedAt and ttlSecs live in
      // their own hash fields (touch changes them without rewriting the JSON)
      // and go back in canonical field order.
      session = deepFreeze({ ...body, updatedAt, ttlSecs }) as SessionSnapshot;
    } catch (err) {
      throw sessionError(
        'internal',
        ctx,
        `the session stored under key ${JSON.stringify(key)} is not valid`,
        err,
      );
    }
    return Object.freeze({ session, cas: casNumber });
  }

  /** KEYS and the leading ARGV shared by the put and update-cas scripts. */
  #writeArgs(snapshot: SessionSnapshot): [string, string, string, string, string, string, string] {
    const tenantId = snapshot.meta.tenantId;
    return [
      dataKey(this.namespace, tenantId, snapshot.key),
      lookupKey(this.namespace, snapshot.key),
      tenantId,
      encodeBody(snapshot),
      snapshot.id,
      snapshot.updatedAt,
      String(snapshot.ttlSecs),
    ];
  }

  #codeReply(ctx: OpContext, reply: unknown): [number, unknown] {
    if (!Array.isArray(reply) || typeof reply[0] !== 'number') throw this.#unexpected(ctx, reply);
    return [reply[0], reply[1]];
  }

  #flagReply(ctx: OpContext, reply: unknown): boolean {
    if (reply === 1) return true;
    if (reply === 0) return false;
    throw this.#unexpected(ctx, reply);
  }

  #unexpected(ctx: OpContext, reply: unknown): SessionError {
    return sessionError('internal', ctx, `unexpected reply from Redis: ${describeValue(reply)}`);
  }
}

/** Freezes a freshly parsed JSON tree in place, bottom-up, and returns it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function isCas(value: unknown): value is Cas {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** The session JSON without `updatedAt` and `ttlSecs`, which have hash fields of their own. */
function encodeBody(snapshot: SessionSnapshot): string {
  const { updatedAt: _u, ttlSecs: _t, ...body } = snapshot;
  return JSON.stringify(body);
}

function tenantMismatch(ctx: OpContext, key: SessionKey, tenantId: string): SessionError {
  return sessionError(
    'tenant_mismatch',
    ctx,
    `key ${JSON.stringify(key)} belongs to another tenant than ${JSON.stringify(tenantId)}; nothing was written`,
  );
}

/**
 * Creates a {@link RedisSessionStore}; the same as `new RedisSessionStore(options)`.
 *
 * @throws SessionError `invalid_input` for a bad option
 */
export function createRedisSessionStore(options: RedisSessionStoreOptions): RedisSessionStore {
  return new RedisSessionStore(options);
}
