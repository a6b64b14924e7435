/**
 * Bounds shared by core validation and the JSON Schema, so both accept and
 * reject exactly the same inputs.
 */
export const SESSION_LIMITS = {
  /** Largest `ttlSecs` (2^31 − 1, the largest Redis accepts everywhere). */
  maxTtlSecs: 2_147_483_647,
  /** Longest session key, in characters. */
  maxKeyLength: 512,
  /** Longest tenant id, in characters. */
  maxTenantIdLength: 128,
  /** Longest free-text id (`flowId`, `nodeId`, `teamId`, `userId`, `waitReason`). */
  maxTextLength: 1024,
  /** Most outbox entries a session may hold. */
  maxOutboxEntries: 10_000,
  /** Deepest nesting of label values. */
  maxLabelDepth: 32,
} as const;

/**
 * Patterns shared by core validation and the JSON Schema.
 *
 * Keys are printable ASCII without whitespace or braces: braces would break the
 * Redis Cluster hash tag `{key}`. Tenant ids are letters, digits, `.`, `_`, `-`
 * starting with a letter or digit, so a tenant segment can never contain the
 * `:` separator of the Redis key layout.
 */
export const SESSION_PATTERNS = {
  sessionKey: /^[\x21-\x7a\x7c\x7e]+$/,
  tenantId: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  sha256Hex: /^[0-9a-f]{64}$/,
  isoUtc: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/,
} as const;

/**
 * Tenant ids that cannot be used because the Redis key layout reserves them
 * (`<ns>:lookup:{key}` holds the owner of a key).
 */
export const RESERVED_TENANT_IDS: readonly string[] = Object.freeze(['lookup']);
