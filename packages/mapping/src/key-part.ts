import { createHash } from 'node:crypto';
import { SessionError } from '@greentic/session-types';

/**
 * One input of a session key: a non-empty, well-formed string, or a safe
 * integer (formatted in decimal exactly as Rust's `i64::to_string` would,
 * e.g. `-1001234567890`), so `42` and `'42'` give the same key.
 */
export type SessionKeyPart = string | number;

const PKG = '@greentic/session-mapping';

// A lone UTF-16 surrogate has no UTF-8 encoding: node:crypto would hash it as
// U+FFFD, so two different strings would share a key. Rust's `&str` cannot hold
// one either, so rejecting it loses no compatibility.
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Builds the `invalid_input` error of this package: `[@greentic/session-mapping] op: detail`.
 *
 * @param op - public function that rejected the input
 * @param detail - what was wrong, naming the argument
 */
export function mappingError(op: string, detail: string): SessionError {
  return new SessionError('invalid_input', `[${PKG}] ${op}: ${detail}`);
}

// Error messages never echo string contents: ids may be PII and errors end up in logs.
function describeRejected(value: unknown): string {
  if (typeof value === 'string') {
    return value.length === 0
      ? 'an empty string'
      : `a string with a lone UTF-16 surrogate (length ${value.length})`;
  }
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined) return String(value);
  if (isArraySafely(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// Array.isArray throws on a revoked Proxy; building a message must never throw.
function isArraySafely(value: unknown): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Validates one key part and returns its text form.
 *
 * @param op - public function being called, for the error message
 * @param name - argument name, for the error message (e.g. `chatId`, `parts[1]`)
 * @param value - the caller's value
 * @param allowEmpty - accept `''` (the Rust-compatible functions do, as the
 *   crate does) @default false
 * @returns the string itself, or the decimal form of a safe integer
 * @throws SessionError `invalid_input` unless `value` is a string without lone
 *   surrogates (non-empty unless `allowEmpty`) or a safe integer
 */
export function keyPartText(op: string, name: string, value: unknown, allowEmpty = false): string {
  if (typeof value === 'string' && (allowEmpty || value.length > 0) && !LONE_SURROGATE.test(value))
    return value;
  // String(-0) is '0', as Rust formats integer zero; safe integers never use exponent notation.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw mappingError(
    op,
    `${name} must be a ${allowEmpty ? '' : 'non-empty '}string or a safe integer, got ${describeRejected(value)}`,
  );
}

/**
 * SHA-256 of the UTF-8 bytes of `preimage`, as 64 lowercase hex characters
 * (what Rust's `hex::encode(Sha256::digest(s.as_bytes()))` returns).
 *
 * @param preimage - well-formed string to hash
 */
export function sha256HexUtf8(preimage: string): string {
  return createHash('sha256').update(preimage, 'utf8').digest('hex');
}
