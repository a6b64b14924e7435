import { type OpContext, sessionError } from '@greentic/session-core/backend';
import { SessionError, type SessionErrorReason } from '@greentic/session-types';

// What a caller may do after an error depends on one question: could the
// command have reached Redis? `unavailable` promises it did not (retrying is
// safe); `timeout` says it may have been applied (re-read before retrying).

// Rejections ioredis gives before writing anything to a socket.
const NEVER_SENT =
  /^(Stream isn't writeable and enableOfflineQueue options is false|Cluster isn't ready and enableOfflineQueue options is false|Cluster is ended\.)/;
// Error replies of a server that refused the command without running it.
const REFUSED_REPLIES =
  /^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|BUSY|NOREPLICAS|MISCONF|NOAUTH|WRONGPASS|NOPERM|MOVED|ASK)\b|^Too many Cluster redirections|^ERR DB index is out of range/;
// The connection dropped, or was never there, after the command was handed to
// a socket (or to a queue ioredis flushes on a drop): it may have run.
const MAYBE_SENT_NAMES = new Set(['MaxRetriesPerRequestError', 'AbortError']);
const MAYBE_SENT_MESSAGES =
  /^(Connection is closed|Command aborted due to connection close|Socket closed unexpectedly|read ECONNRESET|write EPIPE)/;
const MAYBE_SENT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT']);

/**
 * The rejection of a command ioredis dropped before writing it to any
 * socket (or whose every write was answered "not run"): nothing of it
 * reached Redis. Its message is ioredis's own. See `command.ts`.
 */
export class CommandNotSentError extends Error {
  override readonly name = 'CommandNotSentError';

  /** @param cause - the error ioredis rejected the command with */
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

/**
 * The rejection of a command that was written to a socket with no reply
 * for it, then failed with an error that would otherwise say nothing ran
 * (a Cluster that lost the connection, sent it again and then gave up): it
 * may have run. Its message is ioredis's own. See `command.ts`.
 */
export class CommandMaybeSentError extends Error {
  override readonly name = 'CommandMaybeSentError';

  /** @param cause - the error ioredis rejected the command with */
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

/**
 * Whether {@link toSessionError} reads `err` as "nothing ran"
 * (`unavailable`): never sent, or refused by the server unrun.
 *
 * @param err - what ioredis rejected a command with
 */
export function claimsNothingRan(err: Error): boolean {
  const message = typeof err.message === 'string' ? err.message : '';
  return (
    err instanceof CommandNotSentError ||
    NEVER_SENT.test(message) ||
    message.startsWith('OOM ') ||
    REFUSED_REPLIES.test(message)
  );
}

const AUTH_REPLIES = /^(NOAUTH|WRONGPASS|NOPERM)\b|invalid (username-)?password/;

/**
 * Why a connection could not be made, from the error the client reported:
 * authentication, TLS, or (anything else) an unreachable server.
 *
 * @param err - the last connection error (sanitized or raw), if any
 */
export function connectionReason(err: unknown): SessionErrorReason {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    message?: unknown;
    code?: unknown;
  };
  const message = typeof e.message === 'string' ? e.message : '';
  if (AUTH_REPLIES.test(message)) return 'auth';
  if (DB_OUT_OF_RANGE.test(message)) return 'database';
  if (
    (typeof e.code === 'string' && /CERT|SSL|TLS/.test(e.code)) ||
    /certificate|SSL routines|TLS/i.test(message)
  ) {
    return 'tls';
  }
  return 'unreachable';
}

/** The reply of a SELECT of a database the server does not have. */
export const DB_OUT_OF_RANGE = /DB index is out of range/;

const CREDENTIALS_IN_URL = /([a-z][a-z0-9+.-]*:\/\/)[^@/?#\s]*@/gi;

/**
 * Removes credentials from text that may quote a URL: `redis://user:pw@host`
 * becomes `redis://***@host`.
 *
 * @param text - a message or URL
 */
export function redactCredentials(text: string): string {
  return text.replace(CREDENTIALS_IN_URL, '$1***@');
}

/**
 * A URL made safe for an error message: everything before the last `@` after
 * the scheme (user and password, even malformed or unencoded) becomes `***`.
 *
 * @param url - a URL as the caller gave it
 */
export function redactUrl(url: string): string {
  return url.includes('@') ? url.replace(/^([a-z][a-z0-9+.-]*:\/{0,2})?[\s\S]*@/i, '$1***@') : url;
}

/**
 * A copy of an ioredis error that is safe to keep as a `cause`: name, message
 * (credentials redacted), code and the command's name, never its arguments
 * (ioredis attaches `command.args`, which for AUTH and HELLO hold the password).
 *
 * @param err - what ioredis threw or emitted
 */
export function safeCause(err: unknown): Error {
  if (SessionError.isInstance(err)) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    command?: { name?: unknown };
  };
  const copy = new Error(
    redactCredentials(typeof e.message === 'string' ? e.message : String(err)),
  );
  if (typeof e.name === 'string') Object.defineProperty(copy, 'name', { value: e.name });
  if (typeof e.code === 'string') Object.assign(copy, { code: e.code });
  if (typeof e.command?.name === 'string') Object.assign(copy, { command: e.command.name });
  return copy;
}

/**
 * Maps whatever ioredis threw to a {@link SessionError}:
 * - `unavailable`: provably nothing ran (never sent, also a command the
 *   connection dropped before writing it; or
 *   refused by the server: loading, read-only replica, cluster down, out of
 *   memory under `maxmemory`, authentication);
 * - `timeout`: no reply in time, or the connection dropped with the command
 *   in flight, or a command written once failed later: it may have been
 *   applied;
 * - `internal`: anything else (a script error, an unexpected reply).
 *
 * A `SessionError` passes through unchanged. The cause kept is a sanitized
 * copy (no command arguments, credentials redacted).
 *
 * @param err - what was thrown
 * @param ctx - operation, for the message
 */
export function toSessionError(err: unknown, ctx: OpContext): SessionError {
  if (SessionError.isInstance(err)) return err;
  const cause = safeCause(err);
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    code?: unknown;
  };
  const message = cause.message;
  if (err instanceof CommandMaybeSentError) {
    return sessionError(
      'timeout',
      ctx,
      `the command was written to Redis and then failed without a reply to that write; it may have been applied (${message})`,
      cause,
    );
  }
  if (err instanceof CommandNotSentError) {
    return sessionError(
      'unavailable',
      ctx,
      `the connection to Redis dropped before the command was written; nothing was sent (${message})`,
      cause,
      'unreachable',
    );
  }
  if (message === 'Command timed out') {
    return sessionError(
      'timeout',
      ctx,
      'Redis did not reply within the command timeout; the command may have been applied',
      cause,
    );
  }
  if (NEVER_SENT.test(message)) {
    return sessionError(
      'unavailable',
      ctx,
      `Redis is not connected; nothing was sent (${message})`,
      cause,
      'unreachable',
    );
  }
  if (message.startsWith('OOM ')) {
    return sessionError(
      'unavailable',
      ctx,
      `Redis refused the write: it reached maxmemory (${message}). Sessions are data: raise maxmemory, or use maxmemory-policy noeviction with headroom`,
      cause,
      'out_of_memory',
    );
  }
  if (REFUSED_REPLIES.test(message)) {
    const reason = connectionReason(cause);
    return sessionError(
      'unavailable',
      ctx,
      `Redis refused the command; nothing was applied (${message})`,
      cause,
      reason === 'unreachable' ? 'refused' : reason,
    );
  }
  if (
    (typeof e.name === 'string' && MAYBE_SENT_NAMES.has(e.name)) ||
    (typeof e.code === 'string' && MAYBE_SENT_CODES.has(e.code)) ||
    MAYBE_SENT_MESSAGES.test(message)
  ) {
    return sessionError(
      'timeout',
      ctx,
      `the connection to Redis dropped while the command was in flight; it may have been applied (${message})`,
      cause,
    );
  }
  return sessionError('internal', ctx, `unexpected Redis error: ${message}`, cause);
}
