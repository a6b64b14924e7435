import {
  SessionError,
  type SessionErrorCode,
  type SessionErrorReason,
} from '@greentic/session-types';

/** Names the package and the operation in every error message. */
export interface OpContext {
  /** Package that raised the error, e.g. `@greentic/session-memory`. */
  readonly pkg: string;
  /** Public operation, e.g. `updateCas`. */
  readonly op: string;
}

// Errors this copy of core built. A WeakSet lookup never runs a Proxy trap or a
// getter, so telling our own errors from whatever a hostile input threw is safe.
const created = new WeakSet<object>();

/**
 * Builds a `SessionError` whose message reads `[pkg] op: detail`.
 *
 * @param code - error code
 * @param ctx - where the error happened
 * @param detail - what went wrong, naming the field
 * @param cause - underlying error, if any
 * @param reason - why, for an `unavailable` error whose backend can tell
 */
export function sessionError(
  code: SessionErrorCode,
  ctx: OpContext,
  detail: string,
  cause?: unknown,
  reason?: SessionErrorReason,
): SessionError {
  const message = `[${ctx.pkg}] ${ctx.op}: ${detail}`;
  const err = new SessionError(code, message, {
    ...(cause === undefined ? {} : { cause }),
    ...(reason === undefined ? {} : { reason }),
  });
  created.add(err);
  return err;
}

function isOwnInvalidInput(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    created.has(err) &&
    (err as SessionError).code === 'invalid_input'
  );
}

/**
 * Runs `read` over caller input and turns anything it throws other than this
 * package's own `invalid_input` errors (a throwing getter, a Proxy trap, a
 * revoked Proxy, an engine `TypeError` from a lying trap) into an
 * `invalid_input` {@link sessionError} whose `cause` is the thrown value.
 *
 * @param ctx - where the input was read
 * @param field - what was being read, for the message (e.g. `session`, `opts`)
 * @param read - validation that reads the input
 * @returns what `read` returns
 * @throws SessionError `invalid_input`
 */
export function readInput<T>(ctx: OpContext, field: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (isOwnInvalidInput(err)) throw err;
    throw sessionError(
      'invalid_input',
      ctx,
      `${field} could not be read: a getter or Proxy trap threw while it was validated`,
      err,
    );
  }
}

/** Shorthand for an `invalid_input` {@link sessionError}. */
export function invalidInput(ctx: OpContext, detail: string): SessionError {
  return sessionError('invalid_input', ctx, detail);
}

/** Short, safe rendering of a rejected value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `${JSON.stringify(shown)} (length ${value.length})`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (isArraySafely(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// Array.isArray throws on a revoked Proxy; a message must never throw.
function isArraySafely(value: unknown): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}
