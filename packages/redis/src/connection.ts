/**
 * The store's connection to Redis: opening (or adopting) an ioredis client,
 * sending a command under the store's failure rules, and closing.
 *
 * The rules that make `unavailable` mean "nothing was sent":
 * - clients the store opens have ioredis's offline queue off, so a command is
 *   either written to a live socket at once or rejected unsent;
 * - while the client is not connected, the store holds the command itself (up
 *   to `commandTimeoutMs`) and sends it only once the connection is ready;
 *   when the wait runs out nothing was sent: `unavailable`;
 * - a command written to a socket that drops is never replayed
 *   (`autoResendUnfulfilledCommands: false`, and `retryDelayOnFailover: 0` on
 *   a Cluster): it fails as `timeout`, since it may have run;
 * - a Cluster connects to its masters lazily, and without an offline queue
 *   ioredis refuses a command for a master whose connection is still being
 *   made (as if it had dropped). So whenever a Cluster the store opened
 *   becomes ready, the store connects every master and waits until none is
 *   still connecting (at most {@link SETTLE_MS}) before it sends. (Not
 *   earlier: the Cluster's own ready check would be refused the same way.
 *   Nor when the Cluster adds a master later: ioredis may be about to send a
 *   redirected command there, which a connection still being made would
 *   refuse. Nor on a caller's Cluster: the caller's own commands would be.)
 *
 * The common case, a ready connection, costs nothing beyond the ioredis call:
 * the reply deadline is ioredis's own `commandTimeout`.
 *
 * Write coalescing (the clients the store opens): commands sent in a burst
 * leave in one socket write (per master of a cluster) per
 * {@link COALESCE_COMMANDS}, and the rest of a burst at the end of the
 * current tick. Each is still its own command with its own reply, resolved
 * as soon as that reply is read.
 *
 * @packageDocumentation
 */
import { type OpContext, sessionError } from '@greentic/session-core/backend';
import type { SessionError } from '@greentic/session-types';
import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { connectionReason, DB_OUT_OF_RANGE, safeCause, toSessionError } from './errors.js';

/** An ioredis client the store can run on: a standalone `Redis` or a `Cluster`. */
export type RedisClient = Redis | Cluster;

/** Where the connection comes from: exactly one of the three. */
export type ConnectionSource =
  | { readonly kind: 'standalone'; readonly options: RedisOptions }
  | {
      readonly kind: 'cluster';
      readonly nodes: readonly ClusterNode[];
      readonly redisOptions: RedisOptions | undefined;
      readonly clusterOptions: ClusterOptions | undefined;
    }
  | { readonly kind: 'client'; readonly client: RedisClient };

const noop = (): void => {};

/** Statuses of an ioredis connection on its way to `ready`. */
const CONNECTING: ReadonlySet<string> = new Set(['wait', 'connecting', 'connect']);

/**
 * Longest a Cluster the store opened holds commands, once ready, for masters
 * still connecting (on loopback a connection takes a few milliseconds). A
 * master that takes longer (hung, unreachable) then delays commands for the
 * others no more than this; its own commands fail on their own.
 */
export const SETTLE_MS = 200;

/** Reconnect forever with a short, capped backoff so the store recovers by itself. */
function retryDelayMs(times: number): number {
  return Math.min(50 * 2 ** Math.min(times - 1, 5), 1000);
}

/**
 * Most commands a client the store opened holds back to send in one socket
 * write (one per master of a cluster). Under concurrency this saves a system call per command, and,
 * unlike ioredis's auto-pipelining (one pipeline in flight at a time, every
 * reply of a batch handed over together), Redis starts on the first commands
 * of a burst while the process is still preparing the next ones.
 */
export const COALESCE_COMMANDS = 8;

/** The socket of a connection, as far as coalescing needs it. */
interface CorkableStream {
  cork(): void;
  uncork(): void;
}

/** See the module documentation. */
export class RedisConnection {
  /** The ioredis client. */
  readonly client: RedisClient;
  /** Whether the store opened the client (and so closes it). */
  readonly owned: boolean;
  readonly #commandTimeoutMs: number;
  /** The client has no `commandTimeout` of its own: the store enforces the reply deadline. */
  readonly #ownDeadline: boolean;
  /**
   * The reply deadline the store keeps itself, in milliseconds, on a client
   * without ioredis's `commandTimeout` (a caller's); undefined otherwise.
   */
  readonly ownDeadlineMs: number | undefined;
  /** ioredis rejects commands while disconnected, so the store must wait for `ready` itself. */
  readonly #waitForReady: boolean;
  readonly #waiters = new Set<() => void>();
  readonly #onReady = (): void => {
    if (this.#settles) this.#settle(this.client as Cluster);
    else this.#wakeAll();
  };
  /** A Cluster the store opened: it connects the masters itself (see {@link #settle}). */
  readonly #settles: boolean;
  /**
   * Whether commands may be sent while the client is ready: always, but on a
   * Cluster the store opened only once no master's connection is still being
   * made since it last became ready, or {@link SETTLE_MS} passed.
   */
  #settled: boolean;
  /** Ends the wait for masters still connecting (see {@link SETTLE_MS}). */
  #settleTimer: NodeJS.Timeout | undefined;
  /** Masters whose connection events this connection listens to. */
  readonly #watched = new Set<Redis>();
  readonly #onNodeRemoved = (node: Redis): void => {
    this.#unwatch(node);
    // It may have been the last master still connecting (or be replaced by one).
    this.#resettle();
  };
  /**
   * A Cluster that lost its connections settles again when it is next ready
   * (ioredis sets the status before it emits `ready`, so the flag drops here).
   */
  readonly #unsettle = (): void => {
    this.#settled = false;
    clearTimeout(this.#settleTimer);
    this.#settleTimer = undefined;
  };
  readonly #resettle = (): void => {
    if (!this.#settled && this.client.status === 'ready') this.#settle(this.client as Cluster);
  };
  readonly #settleNow = (): void => {
    this.#settleTimer = undefined;
    if (this.#settled || this.client.status !== 'ready') return;
    this.#settled = true;
    this.#wakeAll();
  };
  #lastError: Error | undefined;
  #fatal: string | undefined;
  #closed = false;
  /** Whether writes are coalesced (see {@link COALESCE_COMMANDS}). */
  readonly #coalesce: boolean;
  /** The sockets this connection corked (one per master of a cluster), until it uncorks them. */
  #corked: CorkableStream[] | undefined;
  /** Commands written since {@link #corked} were corked. */
  #held = 0;
  /** An end-of-tick flush is scheduled. */
  #flushScheduled = false;
  readonly #flushAtTickEnd = (): void => {
    this.#flushScheduled = false;
    this.#uncork();
  };

  /**
   * @param source - what to connect to, or the caller's client
   * @param commandTimeoutMs - longest wait for a connection, and for a reply when
   *   the store opened the client (or the caller's has no `commandTimeout`)
   */
  constructor(source: ConnectionSource, commandTimeoutMs: number) {
    this.#commandTimeoutMs = commandTimeoutMs;
    if (source.kind === 'client') {
      this.client = source.client;
      this.owned = false;
    } else {
      this.client =
        source.kind === 'standalone'
          ? this.#openStandalone(source.options)
          : this.#openCluster(source);
      this.owned = true;
      this.client.on('error', (err: unknown) => this.#recordError(err));
    }
    const options = this.client.options as {
      enableOfflineQueue?: boolean;
      commandTimeout?: number;
      redisOptions?: { commandTimeout?: number };
    };
    const timeout = options.commandTimeout ?? options.redisOptions?.commandTimeout;
    this.#ownDeadline = typeof timeout !== 'number';
    this.ownDeadlineMs = this.#ownDeadline ? commandTimeoutMs : undefined;
    this.#waitForReady = options.enableOfflineQueue === false;
    // A caller's Cluster is used as it is: connecting its masters would make
    // ioredis refuse the caller's own commands for them meanwhile.
    this.#settles = this.owned && this.client instanceof Cluster && this.#waitForReady;
    this.#settled = !this.#settles;
    if (this.#waitForReady) this.client.on('ready', this.#onReady);
    if (this.#settles) {
      this.client.on('-node', this.#onNodeRemoved);
      this.client.on('close', this.#unsettle);
    }
    // Only on sockets the store owns, and not under ioredis's own
    // auto-pipelining (a caller may ask for it in `redisOptions` or
    // `clusterOptions`).
    this.#coalesce =
      this.owned &&
      (source.kind === 'standalone'
        ? (this.client.options as RedisOptions).enableAutoPipelining !== true
        : source.kind === 'cluster' && source.clusterOptions?.enableAutoPipelining !== true);
  }

  #defaults(): RedisOptions {
    return {
      commandTimeout: this.#commandTimeoutMs,
      // A command in flight when the connection drops fails at once (as
      // `timeout`) instead of being replayed later, after its caller was answered.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      enableOfflineQueue: false,
      retryStrategy: retryDelayMs,
      connectTimeout: Math.max(this.#commandTimeoutMs, 1000),
      // After a failover the old master answers writes with READONLY (which
      // ran nothing: `unavailable`); reconnect to find the new one, but never
      // resend (2 would resend the command).
      reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 1 : false),
    };
  }

  #openStandalone(options: RedisOptions): Redis {
    // Replies are parsed as the RESP2 shapes (plain arrays of integers).
    return new Redis({
      ...this.#defaults(),
      ...options,
      replyMapping: 'legacy',
    });
  }

  #openCluster(source: Extract<ConnectionSource, { kind: 'cluster' }>): Cluster {
    const { retryStrategy: _r, enableOfflineQueue: _o, ...nodeDefaults } = this.#defaults();
    return new Cluster([...source.nodes], {
      enableOfflineQueue: false,
      clusterRetryStrategy: retryDelayMs,
      slotsRefreshTimeout: this.#commandTimeoutMs,
      ...source.clusterOptions,
      // A command whose connection closed is never sent again: it may have
      // run. After the caller's options (checked to be 0 or absent), as an
      // explicit undefined would bring back ioredis's default of 100.
      retryDelayOnFailover: 0,
      redisOptions: {
        ...nodeDefaults,
        ...source.redisOptions,
        ...source.clusterOptions?.redisOptions,
        replyMapping: 'legacy',
      },
    });
  }

  #recordError(err: unknown): void {
    const cause = safeCause(err);
    this.#lastError = cause;
    // ioredis reports a failed SELECT as an error event and then carries on
    // in database 0; the store refuses to run rather than write elsewhere.
    if (DB_OUT_OF_RANGE.test(cause.message)) {
      this.#fatal = `the database in the URL does not exist on this server (${cause.message}); nothing was sent`;
    }
  }

  /**
   * Sends one command and decodes its reply. Never rejects with anything but
   * a `SessionError`. On a ready connection this is the ioredis call and one
   * `then`: no timer, no bookkeeping.
   *
   * @param ctx - operation, for errors
   * @param send - issues the ioredis command
   * @param decode - turns the reply into the result (may throw a `SessionError`)
   */
  run<T, R>(ctx: OpContext, send: () => Promise<T>, decode: (reply: T) => R): Promise<R> {
    const refusal = this.#refusal(ctx);
    if (refusal !== undefined) return Promise.reject(refusal);
    if ((this.client.status === 'ready' && this.#settled) || !this.#waitForReady) {
      return this.#send(ctx, send, decode);
    }
    return this.#whenReady(ctx).then(() => this.#send(ctx, send, decode));
  }

  #refusal(ctx: OpContext): SessionError | undefined {
    if (this.#closed) {
      return sessionError('unavailable', ctx, 'the store is closed', undefined, 'closed');
    }
    if (this.#fatal !== undefined) {
      return sessionError('unavailable', ctx, this.#fatal, this.#lastError, 'database');
    }
    if (this.client.status === 'end') {
      return sessionError(
        'unavailable',
        ctx,
        'the Redis client was closed; nothing was sent',
        this.#lastError,
        'closed',
      );
    }
    return undefined;
  }

  #send<T, R>(ctx: OpContext, send: () => Promise<T>, decode: (reply: T) => R): Promise<R> {
    let reply: Promise<T>;
    const coalesce = this.#coalesce && this.#cork();
    try {
      reply = send();
    } catch (err) {
      reply = Promise.reject(err);
    }
    if (coalesce && ++this.#held >= COALESCE_COMMANDS) this.#uncork();
    if (this.#ownDeadline) reply = this.#withDeadline(reply);
    return reply.then(decode, (err: unknown) => {
      throw toSessionError(err, ctx);
    });
  }

  /**
   * Holds the next writes of a ready client's socket (of every ready master
   * of a cluster: the command goes to the one owning its key) back until
   * {@link COALESCE_COMMANDS} commands were written or the tick ends (a
   * `process.nextTick` runs once the promise jobs queued now have run), so a
   * burst leaves in a few writes and a lone command waits for nothing.
   *
   * @returns whether sockets are corked for the command about to be sent
   */
  #cork(): boolean {
    if (this.#corked === undefined) {
      if (this.client.status !== 'ready') return false;
      const nodes = this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
      const streams: CorkableStream[] = [];
      for (const node of nodes) {
        const stream = node.stream as CorkableStream | undefined;
        if (node.status !== 'ready' || stream === undefined) continue;
        stream.cork();
        streams.push(stream);
      }
      if (streams.length === 0) return false;
      this.#corked = streams;
      this.#held = 0;
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flushAtTickEnd);
    }
    return true;
  }

  /** Writes out what {@link #cork} held back. */
  #uncork(): void {
    const streams = this.#corked;
    if (streams === undefined) return;
    this.#corked = undefined;
    this.#held = 0;
    for (const stream of streams) stream.uncork();
  }

  #wakeAll(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /**
   * Called when the store's Cluster becomes ready, and again on each
   * connection event of a master until done: connects every master still
   * waiting for its first command, and wakes the waiting commands once none
   * is connecting any more (each master is ready, or its connection failed:
   * the commands for it then fail on their own, the others go through), or
   * after {@link SETTLE_MS} at the latest, so a hung master delays the others
   * only that long.
   */
  #settle(cluster: Cluster): void {
    this.#settled = false;
    let connecting = false;
    for (const node of cluster.nodes('master')) {
      if (!this.#watched.has(node)) {
        this.#watched.add(node);
        node.on('ready', this.#resettle);
        node.on('close', this.#resettle);
      }
      if (node.status === 'wait') node.connect().catch(noop);
      if (CONNECTING.has(node.status)) connecting = true;
    }
    if (connecting) {
      this.#settleTimer ??= setTimeout(this.#settleNow, SETTLE_MS);
      return;
    }
    clearTimeout(this.#settleTimer);
    this.#settleTimer = undefined;
    this.#settleNow();
  }

  #unwatch(node: Redis): void {
    if (!this.#watched.delete(node)) return;
    node.off('ready', this.#resettle);
    node.off('close', this.#resettle);
  }

  /** Only for a caller's client without `commandTimeout`: a timer per command. */
  #withDeadline<T>(reply: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Command timed out')), this.#commandTimeoutMs);
    });
    return Promise.race([reply, deadline]).finally(() => clearTimeout(timer));
  }

  /** Resolves when the client is ready; rejects `unavailable` after the timeout or on close. */
  #whenReady(ctx: OpContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
      };
      const wake = (): void => {
        done();
        const refusal = this.#refusal(ctx);
        if (refusal !== undefined) reject(refusal);
        else resolve();
      };
      const timer = setTimeout(() => {
        done();
        const last =
          this.#lastError === undefined ? '' : ` (last error: ${this.#lastError.message})`;
        reject(
          sessionError(
            'unavailable',
            ctx,
            `no Redis connection within ${this.#commandTimeoutMs} ms; nothing was sent${last}`,
            this.#lastError,
            connectionReason(this.#lastError),
          ),
        );
      }, this.#commandTimeoutMs);
      this.#waiters.add(wake);
      if (this.client.status === 'wait') this.client.connect().catch(noop);
    });
  }

  /**
   * Stops waiting commands (they fail `unavailable`: nothing was sent) and
   * closes the client if the store opened it. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#uncork();
    if (this.#waitForReady) {
      this.client.off('ready', this.#onReady);
      this.client.off('-node', this.#onNodeRemoved);
      this.client.off('close', this.#unsettle);
      for (const node of [...this.#watched]) this.#unwatch(node);
      clearTimeout(this.#settleTimer);
    }
    this.#wakeAll();
    if (!this.owned) return;
    const client = this.client;
    if (client.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.quit().catch(noop),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.#commandTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    client.disconnect();
  }
}
