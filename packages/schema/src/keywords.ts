import { RESERVED_TENANT_IDS, SESSION_LIMITS, SESSION_PATTERNS } from '@greentic/session-types';
import { ISO_UTC_TIMESTAMP_PATTERN } from './iso-utc-pattern.js';
import type { JsonSchema } from './json-schema.js';

// Building blocks shared by the schemas. Every bound comes from the constants
// core validates with, so the schema and core cannot drift apart.

/** Largest safe integer (2^53 − 1): core's `Number.isSafeInteger` bound. */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/** `SESSION_PATTERNS` sources: flagless, ASCII-only, so every regex dialect reads them alike. */
export const PATTERNS = {
  sessionKey: SESSION_PATTERNS.sessionKey.source,
  tenantId: SESSION_PATTERNS.tenantId.source,
  uuid: SESSION_PATTERNS.uuid.source,
  sha256Hex: SESSION_PATTERNS.sha256Hex.source,
} as const;

/** A lowercase canonical UUID (`format: uuid` plus core's exact pattern). */
export const uuid = (description: string) =>
  ({ type: 'string', format: 'uuid', pattern: PATTERNS.uuid, description }) as const;

/** An ISO-8601 UTC timestamp that core accepts (`format: date-time` plus the exact pattern). */
export const timestamp = (description: string) =>
  ({
    type: 'string',
    format: 'date-time',
    pattern: ISO_UTC_TIMESTAMP_PATTERN,
    description,
  }) as const;

/** A session key: 1..`maxKeyLength` printable ASCII characters without whitespace or braces. */
export const sessionKey = (description: string) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength: SESSION_LIMITS.maxKeyLength,
    pattern: PATTERNS.sessionKey,
    description,
  }) as const;

/** A tenant id: 1..`maxTenantIdLength` of `A-Za-z0-9._-`, starting with a letter or digit, not reserved. */
export const tenantId = (description: string) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength: SESSION_LIMITS.maxTenantIdLength,
    pattern: PATTERNS.tenantId,
    not: { enum: [...RESERVED_TENANT_IDS] },
    description,
  }) as const;

/** A non-empty string of at most `maxTextLength` characters (UTF-16 code units in core). */
export const text = (description: string) =>
  ({ type: 'string', minLength: 1, maxLength: SESSION_LIMITS.maxTextLength, description }) as const;

/** `null`, or a non-empty string of at most `maxTextLength` characters. */
export const nullableText = (description: string) =>
  ({
    type: ['string', 'null'],
    minLength: 1,
    maxLength: SESSION_LIMITS.maxTextLength,
    description,
  }) as const;

/** A non-negative safe integer (`seq`, `outboxSeq`). */
export const count = (description: string) =>
  ({ type: 'integer', minimum: 0, maximum: MAX_SAFE_INTEGER, description }) as const;

/** A TTL in seconds: an integer 0..`maxTtlSecs`; 0 = never expires. */
export const ttlSecs = (description: string) =>
  ({ type: 'integer', minimum: 0, maximum: SESSION_LIMITS.maxTtlSecs, description }) as const;

/** A compare-and-set token of a stored session: a safe integer of at least 1. */
export const cas = (description: string) =>
  ({ type: 'integer', minimum: 1, maximum: MAX_SAFE_INTEGER, description }) as const;

/** Name of the `$defs` entry for a label value at `depth` (1 = a direct value of `labels`). */
export const labelValueDefName = (depth: number): `LabelValueDepth${number}` =>
  `LabelValueDepth${depth}`;

/**
 * `$defs` for label values. Core rejects an array or object nested
 * `SESSION_LIMITS.maxLabelDepth` levels below `labels`, and JSON Schema has no
 * depth keyword, so the recursion is unrolled: one definition per level, the
 * last of which admits scalars only. Numbers are finite by construction in JSON.
 */
export function labelValueDefs(): Record<string, JsonSchema> {
  const defs: Record<string, JsonSchema> = {};
  for (let depth = 1; depth <= SESSION_LIMITS.maxLabelDepth; depth++) {
    const nested = depth < SESSION_LIMITS.maxLabelDepth;
    const next = { $ref: `#/$defs/${labelValueDefName(depth + 1)}` };
    defs[labelValueDefName(depth)] = nested
      ? {
          description: `A JSON label value nested ${depth} level(s) below labels.`,
          type: ['null', 'boolean', 'number', 'string', 'array', 'object'],
          items: next,
          additionalProperties: next,
        }
      : {
          description: `A JSON label value nested ${depth} levels below labels: the deepest level, so scalars only.`,
          type: ['null', 'boolean', 'number', 'string'],
        };
  }
  return defs;
}
