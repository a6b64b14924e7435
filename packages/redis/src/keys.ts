/**
 * Redis key layout of the session store: **one key per session**.
 *
 * `<ns>:{<key>}` — a STRING holding the whole session (see `codec.ts`): owner
 * tenant, cas, incarnation id, `updatedAt`, `ttlSecs` and the session JSON.
 * Ownership and data are written, expire, are evicted and are deleted
 * together, so no state exists in which the tenant fence is split.
 *
 * The braces are literal: `{<key>}` is a Redis Cluster hash tag, so a session
 * lives in the slot of its session key whatever the namespace.
 *
 * Why no input can address another session's key (the isolation rule):
 * - session keys are 1..512 printable ASCII characters without whitespace,
 *   `{` or `}` (core's `validateSessionKey`), so a key can never close the hash
 *   tag early or open a second one;
 * - the namespace is operator configuration, checked by
 *   {@link validateNamespace}: printable ASCII without whitespace or braces,
 *   so the first `{` of every key is the one that opens `{<key>}`.
 *
 * Hence `(namespace, key)` ↦ Redis key is injective. The tenant is not part
 * of the key: a key belongs to the tenant stored inside its value, which
 * every script checks. Characters such as `:`, `*`, `?`, `[` inside a session
 * key are harmless: keys are never used as patterns. Every key reaches Redis
 * through `KEYS` (never built inside Lua), so an ioredis `keyPrefix` applies
 * to every command alike.
 *
 * @packageDocumentation
 */
import { describeValue, invalidInput, type OpContext } from '@greentic/session-core/backend';

/** The namespace used when none is given. */
export const DEFAULT_NAMESPACE = 'greentic:session';

/** Longest namespace accepted, in characters. */
export const MAX_NAMESPACE_LENGTH = 256;

// Printable ASCII (0x21..0x7e) minus `{` (0x7b) and `}` (0x7d).
const NAMESPACE_PATTERN = /^[\x21-\x7a\x7c\x7e]+$/;

/**
 * Checks a namespace: 1..256 printable ASCII characters without whitespace or
 * braces (a brace would move the cluster hash tag).
 *
 * @param namespace - candidate namespace
 * @param ctx - operation context for errors
 * @returns the namespace
 * @throws SessionError `invalid_input`
 */
export function validateNamespace(namespace: unknown, ctx: OpContext): string {
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw invalidInput(
      ctx,
      `namespace must be a non-empty string, got ${describeValue(namespace)}`,
    );
  }
  if (namespace.length > MAX_NAMESPACE_LENGTH) {
    throw invalidInput(
      ctx,
      `namespace must be at most ${MAX_NAMESPACE_LENGTH} characters, got ${namespace.length}`,
    );
  }
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw invalidInput(
      ctx,
      `namespace must be printable ASCII without whitespace, '{' or '}', got ${describeValue(namespace)}`,
    );
  }
  return namespace;
}

/**
 * Redis key of a session: `<ns>:{<key>}`. Arguments must already be validated.
 *
 * @param namespace - validated namespace
 * @param key - validated session key
 */
export function sessionRedisKey(namespace: string, key: string): string {
  return `${namespace}:{${key}}`;
}
