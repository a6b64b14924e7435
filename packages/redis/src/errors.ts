import { type OpContext, sessionError } from '@greentic/session-core';
import { SessionError } from '@greentic/session-types';

// ioredis and Redis messages meaning "the server cannot be reached or cannot
// serve right now". Matched on text because ioredis throws plain Errors.
const UNAVAILABLE_MESSAGES =
  /Connection is closed|Stream isn't writeable|enableOfflineQueue|Cluster is disconnect|None of startup nodes|Node is disconnected|Too many Cluster redirections|Failed to refresh slots cache|connect ETIMEDOUT|Socket timeout/;
const UNAVAILABLE_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// Redis error replies of a server that is up but cannot serve this command now.
const UNAVAILABLE_REPLIES =
  /^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|BUSY|NOREPLICAS|MISCONF)\b/;

/**
 * Maps whatever ioredis threw to a {@link SessionError}: `timeout` when no
 * reply came within the command timeout, `unavailable` when the server could
 * not be reached or cannot serve now, `internal` for anything else (a script
 * error, an unexpected reply). A `SessionError` passes through unchanged.
 *
 * @param err - what was thrown
 * @param ctx - operation, for the message
 */
export function toSessionError(err: unknown, ctx: OpContext): SessionError {
  if (SessionError.isInstance(err)) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    message?: unknown;
    name?: unknown;
    code?: unknown;
  };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (message === 'Command timed out') {
    return sessionError('timeout', ctx, 'Redis did not reply within the command timeout', err);
  }
  if (
    (typeof e.name === 'string' && UNAVAILABLE_NAMES.has(e.name)) ||
    (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) ||
    UNAVAILABLE_MESSAGES.test(message) ||
    UNAVAILABLE_REPLIES.test(message)
  ) {
    return sessionError('unavailable', ctx, `Redis is unavailable: ${message}`, err);
  }
  return sessionError('internal', ctx, `unexpected Redis error: ${message}`, err);
}
