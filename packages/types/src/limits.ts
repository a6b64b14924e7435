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
  /**
   * Most outbox entries a session may hold (default of the per-store
   * {@link SessionLimits.maxOutboxEntries}).
   */
  maxOutboxEntries: 10_000,
  /** Deepest nesting of label values. */
  maxLabelDepth: 32,
  /**
   * Largest `meta.labels`, in UTF-8 bytes of `JSON.stringify(labels)` (1 MiB;
   * default of the per-store {@link SessionLimits.maxLabelsBytes}).
   */
  maxLabelsBytes: 1_048_576,
  /**
   * Most values in `meta.labels`: object keys plus array elements, counted
   * over every nesting level (default of the per-store
   * {@link SessionLimits.maxLabelValues}).
   */
  maxLabelValues: 10_000,
  /**
   * Largest `data`, in UTF-8 bytes of `JSON.stringify(data)` (1 MiB; default
   * of the per-store {@link SessionLimits.maxDataBytes}).
   */
  maxDataBytes: 1_048_576,
  /**
   * Most values in `data`: object keys plus array elements, counted over
   * every nesting level (default of the per-store {@link SessionLimits.maxDataValues}).
   */
  maxDataValues: 10_000,
} as const;

/**
 * Size limits a store enforces on every write. Each store takes its own
 * (for example `new InMemorySessionStore({ limits: { maxLabelsBytes: 65_536 } })`);
 * the defaults are in {@link SESSION_LIMITS}. Writes over a limit throw
 * `SessionError('invalid_input')` and write nothing.
 */
export interface SessionLimits {
  /**
   * Largest `meta.labels` in UTF-8 bytes of its JSON text.
   * @default 1048576
   */
  readonly maxLabelsBytes: number;
  /**
   * Most label values (object keys plus array elements, all levels).
   * @default 10000
   */
  readonly maxLabelValues: number;
  /**
   * Most outbox entries, counted before deduplication.
   * @default 10000
   */
  readonly maxOutboxEntries: number;
  /**
   * Largest `data` in UTF-8 bytes of its JSON text.
   * @default 1048576
   */
  readonly maxDataBytes: number;
  /**
   * Most values in `data` (object keys plus array elements, all levels).
   * @default 10000
   */
  readonly maxDataValues: number;
}

/** The limits a store uses when it is given none. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = Object.freeze({
  maxLabelsBytes: SESSION_LIMITS.maxLabelsBytes,
  maxLabelValues: SESSION_LIMITS.maxLabelValues,
  maxOutboxEntries: SESSION_LIMITS.maxOutboxEntries,
  maxDataBytes: SESSION_LIMITS.maxDataBytes,
  maxDataValues: SESSION_LIMITS.maxDataValues,
});

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
 * Tenant ids that cannot be used. `lookup` was reserved by the first Redis
 * layout (a lookup key per session); the one-key layout no longer needs it,
 * and it stays reserved until a release lifts it, so that no stored tenant id
 * depends on a rule that changed.
 */
export const RESERVED_TENANT_IDS: readonly string[] = Object.freeze(['lookup']);
