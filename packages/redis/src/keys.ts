/**
 * Redis key layout of the session store.
 *
 * - data:   `<ns>:<tenant>:{<key>}` — a HASH with the fields `session` (the
 *   session JSON without `updatedAt` and `ttlSecs`), `cas`, `id`, `updatedAt`
 *   and `ttl` (seconds).
 * - lookup: `<ns>:lookup:{<key>}` — a STRING holding the owning tenant id.
 *
 * The braces are literal: `{<key>}` is a Redis Cluster hash tag, so both keys
 * of a session hash to the same slot and one Lua script may touch both.
 *
 * Why no input can address another tenant's keys (the isolation rule):
 * - session keys are 1..512 printable ASCII characters without whitespace,
 *   `{` or `}` (core's `validateSessionKey`), so a key can never close the hash
 *   tag early or open a second one;
 * - tenant ids match `[A-Za-z0-9][A-Za-z0-9._-]{0,127}` (core's
 *   `validateTenantId`): no `:`, so the tenant segment ends at the first `:`
 *   after the namespace, and no braces; `lookup` is reserved, so no tenant's
 *   data key can equal a lookup key;
 * - the namespace is operator configuration, checked by
 *   {@link validateNamespace}: printable ASCII without whitespace or braces,
 *   so the first `{` of every key is the one that opens `{<key>}`.
 *
 * Hence `(namespace, tenant, key)` ↦ data key is injective, lookup keys never
 * collide with data keys, and the cluster hash tag of both keys is exactly the
 * session key. Characters such as `:`, `*`, `?`, `[` inside a session key are
 * harmless: keys are never used as patterns (no `KEYS`/`SCAN MATCH`).
 *
 * @packageDocumentation
 */
import { describeValue, invalidInput, type OpContext } from '@greentic/session-core';

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
 * Data key of a session: `<ns>:<tenant>:{<key>}`. Arguments must already be
 * validated.
 */
export function dataKey(namespace: string, tenantId: string, key: string): string {
  return `${namespace}:${tenantId}:{${key}}`;
}

/**
 * Lookup key of a session, holding its owning tenant: `<ns>:lookup:{<key>}`.
 * Arguments must already be validated.
 */
export function lookupKey(namespace: string, key: string): string {
  return `${namespace}:lookup:{${key}}`;
}

/**
 * Prefix the unfenced scripts prepend to `<owner>:{<key>}` to rebuild the
 * data key: `<ns>:`.
 */
export function dataKeyPrefix(namespace: string): string {
  return `${namespace}:`;
}
