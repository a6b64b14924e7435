export { DEFAULT_SCHEMA_DIR, type ExportCliIo, runExportCli } from './export-cli.js';
export { ISO_UTC_TIMESTAMP_PATTERN } from './iso-utc-pattern.js';
export { JSON_SCHEMA_DIALECT, type JsonSchema, SCHEMA_ID_BASE } from './json-schema.js';
export { renderSchemaFile, SESSION_SCHEMA_FILES, writeSchemaFiles } from './schema-files.js';
export {
  outboxEntrySchema,
  sessionCursorSchema,
  sessionMetaSchema,
  sessionSchema,
} from './session-schemas.js';
export {
  type StoredSessionEnvelope,
  storedEnvelopeSchema,
  storedSessionSchema,
} from './stored-schemas.js';
