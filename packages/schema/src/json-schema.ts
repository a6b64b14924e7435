/**
 * A JSON Schema (draft 2020-12) document or subschema, as plain JSON: the
 * shape of every schema this package exports. Deliberately loose; the exported
 * constants keep their literal types (`as const`) for type-level checks.
 */
export interface JsonSchema {
  readonly [keyword: string]: unknown;
}

/** The JSON Schema dialect every schema of this package declares in `$schema`. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** Base of every `$id` of this package; the path segment is the schema version. */
export const SCHEMA_ID_BASE = 'https://greentic.ai/schemas/session/0.1/';
