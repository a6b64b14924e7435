/**
 * The store's own commands: each one counts the times ioredis wrote it to a
 * socket and the replies that said nothing ran, so a failure is reported as
 * `unavailable` (nothing ran) only when that is proven, else `timeout` (it
 * may have run).
 *
 * Why it matters: the node connections of an ioredis Cluster always queue
 * commands while their master is unreachable. When such a connection gives
 * up or closes, ioredis rejects the commands still queued (never written)
 * and the commands in flight (written, maybe applied) with the same error.
 * ioredis calls a command's `toWritable` only to write it, so a command
 * rejected with one of those errors before any write provably never reached
 * Redis, and ioredis has let go of it. And a command a Cluster wrote, lost,
 * and sent again (its `retryDelayOnFailover`) may have run on the first node
 * whatever the last one answers.
 *
 * Only on a client of the ioredis copy the store imports, without ioredis's
 * auto-pipelining (which queues commands in its own way); any other client
 * gets the commands ioredis defines (`defineCommand`, `get`), as before.
 *
 * @packageDocumentation
 */
import { Cluster, Command, Redis } from 'ioredis';
import type { RedisClient } from './connection.js';
import { CommandMaybeSentError, CommandNotSentError, claimsNothingRan } from './errors.js';

/**
 * What ioredis rejects a command with when it takes it out of its queues for
 * good: the connection closed (`Connection is closed.`) or gave up after
 * `maxRetriesPerRequest` reconnects. Only these: a command that timed out in
 * the offline queue stays queued and may still be written later.
 */
function isDropped(err: Error): boolean {
  return (
    err instanceof CommandNotSentError ||
    err.name === 'MaxRetriesPerRequestError' ||
    err.message === 'Connection is closed.'
  );
}

/** Error replies of a cluster node that ran nothing and that ioredis follows. */
const REDIRECTED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /;

/** Replies as strings, as ioredis gives them to its own string commands. */
const UTF8 = { replyEncoding: 'utf8' } as const;

/** A command that counts its writes and the replies that said nothing ran. */
class TrackedCommand extends Command {
  /** Times ioredis wrote the command to a socket (it builds the bytes only then). */
  #writes = 0;
  /** Replies to those writes that ran nothing: a Cluster redirection, NOSCRIPT. */
  #refusals = 0;
  /** Whether a Cluster follows its redirections (they are counted as they come). */
  #viaCluster = false;

  constructor(name: string, args: string[], keyPrefix: KeyPrefix) {
    // ioredis declares `keyPrefix` a string and prefixes Buffer ones too.
    super(
      name,
      args,
      keyPrefix === undefined ? UTF8 : { replyEncoding: 'utf8', keyPrefix: keyPrefix as string },
    );
    // A Cluster wraps `reject` again when it sends the command (to follow
    // MOVED and the like); what it finally rejects with comes through here.
    const settle = this.reject;
    this.reject = (err: Error) => this.failed(err, settle);
  }

  override toWritable(socket: object): string | Buffer {
    this.#writes++;
    return super.toWritable(socket);
  }

  /** The reply to the last write ran nothing (the command goes on elsewhere). */
  protected refused(): void {
    this.#refusals++;
  }

  /**
   * Writes no reply has accounted for: they may have run.
   *
   * @param lastAnswered - the error being settled is the reply to the last write
   */
  protected unknownWrites(lastAnswered: boolean): number {
    return this.#writes - this.#refusals - (lastAnswered ? 1 : 0);
  }

  /**
   * Called with the error the command is finally rejected with; `settle`
   * rejects its promise, told apart: never written (or every write refused)
   * and dropped is {@link CommandNotSentError}; a write that may have run
   * turns a "nothing ran" error into {@link CommandMaybeSentError}.
   */
  protected failed(err: Error, settle: (err: Error) => void): void {
    // A reply to this command (ioredis names the command on each error reply;
    // a failed AUTH that flushes the queues names AUTH), other than a
    // redirection the outer wrapper counted already.
    const answered =
      err.name === 'ReplyError' &&
      (err as { command?: { args?: unknown } }).command?.args === this.args &&
      !(this.#viaCluster && REDIRECTED.test(err.message));
    const unknown = this.unknownWrites(answered);
    if (unknown > 0) {
      settle(claimsNothingRan(err) ? new CommandMaybeSentError(err) : err);
    } else if (this.#writes === this.#refusals && isDropped(err)) {
      settle(err instanceof CommandNotSentError ? err : new CommandNotSentError(err));
    } else {
      settle(err);
    }
  }

  /**
   * Sends the command on `client`. A Cluster wraps `reject` as it takes the
   * command, to follow redirections: a reply that redirects it (MOVED, ASK,
   * TRYAGAIN, CLUSTERDOWN) ran nothing on the node it was written to, and is
   * counted here, before the Cluster writes the command elsewhere.
   */
  sendOn(client: RedisClient, deadlineMs: number | undefined): void {
    // On a client without ioredis's `commandTimeout` (the store keeps its own
    // deadline then), the command gets one too, so that it is settled, and
    // ends, when its caller is told it timed out.
    if (deadlineMs !== undefined) this.setTimeout(deadlineMs);
    client.sendCommand(this);
    if (!(client instanceof Cluster)) return;
    this.#viaCluster = true;
    const viaCluster = this.reject;
    this.reject = (err: Error) => {
      // Settled (timed out): a late redirection is not followed, so a command
      // its caller was told may have run is not sent anywhere again.
      if (this.isSettled) return;
      if (typeof err?.message === 'string' && REDIRECTED.test(err.message)) this.#refusals++;
      viaCluster(err);
    };
  }
}

/** One Lua script and the sockets that have already been sent its text. */
interface ScriptSource {
  readonly lua: string;
  readonly sha: string;
  /** How many of the arguments are keys, as the command's second argument. */
  readonly numberOfKeys: string;
  /** Connections that were sent the script whole: Redis caches it per server. */
  readonly loaded: WeakSet<object>;
}

/** What every run of one script on one client shares. */
interface ScriptTarget {
  readonly source: ScriptSource;
  readonly client: RedisClient;
  readonly keyPrefix: KeyPrefix;
  /** A reply deadline for each run, where the client has no `commandTimeout`. */
  readonly deadlineMs: number | undefined;
}

/**
 * A script run: EVAL with the script's text the first time on a connection
 * (which caches it on that server), EVALSHA after that. A NOSCRIPT reply (the
 * server's script cache was flushed) ran nothing: the run is sent again, as
 * EVAL, and its outcome is this command's.
 */
class ScriptCommand extends TrackedCommand {
  readonly #target: ScriptTarget;
  readonly #scriptArgs: string[];
  /** Sent whole even where the script was sent before (the resend after NOSCRIPT). */
  readonly #whole: boolean;
  #socket: object | undefined;

  constructor(target: ScriptTarget, args: string[], whole = false) {
    const { source } = target;
    super('evalsha', [source.sha, source.numberOfKeys, ...args], target.keyPrefix);
    this.#target = target;
    this.#scriptArgs = args;
    this.#whole = whole;
  }

  /** Sends the run on its client. */
  send(): void {
    this.sendOn(this.#target.client, this.#target.deadlineMs);
  }

  protected override failed(err: Error, settle: (err: Error) => void): void {
    if (typeof err?.message !== 'string' || !err.message.startsWith('NOSCRIPT')) {
      super.failed(err, settle);
      return;
    }
    // A late NOSCRIPT for a command that already timed out sends nothing more:
    // its caller was told it may have run, and may be writing again by now.
    if (this.isSettled) return;
    this.refused();
    if (this.#socket !== undefined) this.#target.source.loaded.delete(this.#socket);
    // Sent whole (EVAL never answers NOSCRIPT): one resend at most.
    const again = new ScriptCommand(this.#target, this.#scriptArgs, true);
    again.send();
    // Its outcome is this command's, unless an earlier write of this one may
    // have run (then "nothing ran" is no longer true).
    again.promise.then(
      (reply) => {
        this.resolve(reply);
      },
      (e: Error) => {
        settle(
          this.unknownWrites(false) > 0 && claimsNothingRan(e) ? new CommandMaybeSentError(e) : e,
        );
      },
    );
  }

  override toWritable(socket: object): string | Buffer {
    const { source } = this.#target;
    this.#socket = socket;
    if (source.loaded.has(socket) && !this.#whole) {
      this.name = 'evalsha';
      this.args[0] = source.sha;
    } else {
      source.loaded.add(socket);
      this.name = 'eval';
      this.args[0] = source.lua;
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
  return (
    (client instanceof Redis || client instanceof Cluster) &&
    client.options.enableAutoPipelining !== true
  );
}

/** An ioredis `keyPrefix`: a string, or a Buffer (ioredis takes both). */
type KeyPrefix = string | Buffer | undefined;

/** The client's `keyPrefix`, which ioredis adds to the keys of each command. */
function keyPrefixOf(client: RedisClient): KeyPrefix {
  const prefix = (client.options as { keyPrefix?: unknown }).keyPrefix;
  if (typeof prefix === 'string') return prefix === '' ? undefined : prefix;
  return Buffer.isBuffer(prefix) && prefix.length > 0 ? prefix : undefined;
}

/**
 * GET on the store's client: the store's own command, whose rejection says
 * whether it was ever sent, on a client {@link tracksCommands} accepts; the
 * client's `get` on any other.
 *
 * @param client - the store's client
 * @param deadlineMs - a reply deadline for each command, where the client has no `commandTimeout`
 */
export function storeGet(
  client: RedisClient,
  deadlineMs: number | undefined,
): (key: string) => Promise<string | null> {
  if (!tracksCommands(client)) return (key) => client.get(key);
  const prefix = keyPrefixOf(client);
  return (key) => {
    const command = new TrackedCommand('get', [key], prefix);
    command.sendOn(client, deadlineMs);
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
 * @param deadlineMs - a reply deadline for each run, where the client has no `commandTimeout`
 */
export function trackedScript(
  client: RedisClient,
  lua: string,
  sha: string,
  numberOfKeys: number,
  deadlineMs: number | undefined,
): (...args: string[]) => Promise<unknown> {
  const target: ScriptTarget = {
    source: sourceOf(lua, sha, numberOfKeys),
    client,
    keyPrefix: keyPrefixOf(client),
    deadlineMs,
  };
  return (...args) => {
    const command = new ScriptCommand(target, args);
    command.send();
    return command.promise;
  };
}
