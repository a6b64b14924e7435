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
  return new SessionError(code, message, {
    ...(cause === undefined ? {} : { cause }),
    ...(reason === undefined ? {} : { reason }),
  });
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
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
