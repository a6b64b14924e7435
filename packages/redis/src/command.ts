/**
 * The store's own commands: each one knows whether ioredis ever wrote it to
 * a socket, so a command that failed without being written is reported as
 * `unavailable` (nothing ran) rather than `timeout` (it may have run).
 *
 * Why it matters: the node connections of an ioredis Cluster always queue
 * commands while their master is unreachable. When such a connection gives
 * up or closes, ioredis rejects the commands still queued (never written)
 * and the commands in flight (written, maybe applied) with the same error.
 * ioredis calls a command's `toWritable` only to write it, so a command
 * that rejects with one of those errors before `toWritable` ran provably
 * never reached Redis, and ioredis has dropped it from its queues.
 *
 * Only on a client of the ioredis copy the store imports, without ioredis's
 * auto-pipelining (which queues commands in its own way); any other client
 * gets the commands ioredis defines (`defineCommand`, `get`), as before.
 *
 * @packageDocumentation
 */
import { Cluster, Command, Redis } from 'ioredis';
import type { RedisClient } from './connection.js';

/**
 * What ioredis rejects a command with when it takes it out of its queues for
 * good: the connection closed (`Connection is closed.`) or gave up after
 * `maxRetriesPerRequest` reconnects. Only these: a command that timed out in
 * the offline queue stays queued and may still be written later.
 */
function isDropped(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { name, message } = err as { name?: unknown; message?: unknown };
  return name === 'MaxRetriesPerRequestError' || message === 'Connection is closed.';
}

/**
 * The rejection of a command ioredis dropped before writing it to any
 * socket: nothing of it reached Redis. Its message is ioredis's own.
 */
export class CommandNotSentError extends Error {
  override readonly name = 'CommandNotSentError';

  /** @param cause - the error ioredis rejected the command with */
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

/** Replies as strings, as ioredis gives them to its own string commands. */
const UTF8 = { replyEncoding: 'utf8' } as const;

/** A command that remembers whether it was handed to a socket. */
class TrackedCommand extends Command {
  /** Set when ioredis writes the command (it builds the bytes only then). */
  written = false;

  constructor(name: string, args: string[], keyPrefix: string | undefined) {
    super(name, args, keyPrefix === undefined ? UTF8 : { replyEncoding: 'utf8', keyPrefix });
    // A Cluster wraps `reject` again when it sends the command (to follow
    // MOVED and the like); what it finally rejects with comes through here.
    const settle = this.reject;
    this.reject = (err: Error) => this.failed(err, settle);
  }

  /**
   * Called with each error the command is finally rejected with; `settle`
   * rejects its promise. A command dropped unwritten says so.
   */
  protected failed(err: Error, settle: (err: Error) => void): void {
    settle(!this.written && isDropped(err) ? new CommandNotSentError(err) : err);
  }

  override toWritable(socket: object): string | Buffer {
    this.written = true;
    return super.toWritable(socket);
  }

  /**
   * Sends the command on `client`. A Cluster wraps `reject` as it takes the
   * command, to follow redirections: a reply that redirects it (MOVED, ASK,
   * TRYAGAIN, CLUSTERDOWN) ran nothing on the node it was written to, so the
   * command counts as unwritten again until the Cluster writes it elsewhere.
   */
  sendOn(client: RedisClient): void {
    client.sendCommand(this);
    if (!(client instanceof Cluster)) return;
    const viaCluster = this.reject;
    this.reject = (err: Error) => {
      if (REDIRECTED.test(typeof err?.message === 'string' ? err.message : '')) {
        this.written = false;
      }
      viaCluster(err);
    };
  }
}

/** Error replies of a cluster node that ran nothing and that ioredis follows. */
const REDIRECTED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /;

/** One Lua script and the sockets that have already been sent its text. */
interface ScriptSource {
  readonly lua: string;
  readonly sha: string;
  /** How many of the arguments are keys, as the command's second argument. */
  readonly numberOfKeys: string;
  /** Connections that were sent the script whole: Redis caches it per server. */
  readonly loaded: WeakSet<object>;
}

/**
 * A script run: EVAL with the script's text the first time on a connection
 * (which caches it on that server), EVALSHA after that. A NOSCRIPT reply (the
 * server's script cache was flushed) ran nothing: the run is sent again, as
 * EVAL, and its outcome is this command's.
 */
class ScriptCommand extends TrackedCommand {
  readonly #script: ScriptSource;
  readonly #client: RedisClient;
  readonly #scriptArgs: string[];
  readonly #keyPrefix: string | undefined;
  #socket: object | undefined;

  constructor(
    script: ScriptSource,
    client: RedisClient,
    args: string[],
    keyPrefix: string | undefined,
  ) {
    super('evalsha', [script.sha, script.numberOfKeys, ...args], keyPrefix);
    this.#script = script;
    this.#client = client;
    this.#scriptArgs = args;
    this.#keyPrefix = keyPrefix;
  }

  protected override failed(err: Error, settle: (err: Error) => void): void {
    if (typeof err?.message !== 'string' || !err.message.startsWith('NOSCRIPT')) {
      super.failed(err, settle);
      return;
    }
    if (this.#socket !== undefined) this.#script.loaded.delete(this.#socket);
    const again = new ScriptCommand(this.#script, this.#client, this.#scriptArgs, this.#keyPrefix);
    again.sendOn(this.#client);
    // Its outcome is this command's (already told apart: sent or not).
    again.promise.then(
      (reply) => {
        this.resolve(reply);
      },
      (e: Error) => {
        settle(e);
      },
    );
  }

  override toWritable(socket: object): string | Buffer {
    const { loaded } = this.#script;
    this.#socket = socket;
    if (loaded.has(socket)) {
      this.name = 'evalsha';
      this.args[0] = this.#script.sha;
    } else {
      loaded.add(socket);
      this.name = 'eval';
      this.args[0] = this.#script.lua;
    }
    return super.toWritable(socket);
  }
}

/** Sockets each script was sent on, shared by every store of the process. */
const SOURCES = new Map<string, ScriptSource>();

function sourceOf(lua: string, sha: string, numberOfKeys: number): ScriptSource {
  let source = SOURCES.get(sha);
  if (source === undefined) {
    source = { lua, sha, numberOfKeys: String(numberOfKeys), loaded: new WeakSet() };
    SOURCES.set(sha, source);
  }
  return source;
}

/**
 * Whether the store sends its own commands on `client`: a client of the
 * ioredis copy the store imports, without auto-pipelining.
 *
 * @param client - the store's client
 */
export function tracksCommands(client: RedisClient): boolean {
  if (client instanceof Redis) {
    return client.options.enableAutoPipelining !== true;
  }
  if (client instanceof Cluster) {
    return client.options.enableAutoPipelining !== true;
  }
  return false;
}

function keyPrefixOf(client: RedisClient): string | undefined {
  const prefix = (client.options as { keyPrefix?: unknown }).keyPrefix;
  return typeof prefix === 'string' && prefix !== '' ? prefix : undefined;
}

/**
 * GET on the store's client: the store's own command, whose rejection says
 * whether it was ever sent, on a client {@link tracksCommands} accepts; the
 * client's `get` on any other.
 *
 * @param client - the store's client
 */
export function storeGet(client: RedisClient): (key: string) => Promise<string | null> {
  if (!tracksCommands(client)) return (key) => client.get(key);
  const prefix = keyPrefixOf(client);
  return (key) => {
    const command = new TrackedCommand('get', [key], prefix);
    command.sendOn(client);
    return command.promise as Promise<string | null>;
  };
}

/**
 * Runs of one script on `client` whose rejections say whether they were
 * ever sent. Only for a client {@link tracksCommands} accepts.
 *
 * @param client - the store's client
 * @param lua - the script's text
 * @param sha - its SHA-1 digest, hex (what EVALSHA takes)
 * @param numberOfKeys - how many of the arguments are keys (they come first)
 */
export function trackedScript(
  client: RedisClient,
  lua: string,
  sha: string,
  numberOfKeys: number,
): (...args: string[]) => Promise<unknown> {
  const source = sourceOf(lua, sha, numberOfKeys);
  const prefix = keyPrefixOf(client);
  return (...args) => {
    const command = new ScriptCommand(source, client, args, prefix);
    command.sendOn(client);
    return command.promise;
  };
}
