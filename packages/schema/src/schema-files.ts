import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonSchema } from './json-schema.js';
import {
  outboxEntrySchema,
  sessionCursorSchema,
  sessionMetaSchema,
  sessionSchema,
} from './session-schemas.js';
import { storedEnvelopeSchema, storedSessionSchema } from './stored-schemas.js';

/**
 * Every schema of the package by file name. The names are the package's
 * `.json` subpath exports (`@greentic/session-schema/session.schema.json`) and
 * the last segment of each schema's `$id`.
 */
export const SESSION_SCHEMA_FILES: Readonly<Record<string, JsonSchema>> = Object.freeze({
  'session.schema.json': sessionSchema,
  'session-meta.schema.json': sessionMetaSchema,
  'session-cursor.schema.json': sessionCursorSchema,
  'outbox-entry.schema.json': outboxEntrySchema,
  'stored-session.schema.json': storedSessionSchema,
  'stored-envelope.schema.json': storedEnvelopeSchema,
});

/** The exact text written for a schema file: 2-space JSON and a final newline. */
export function renderSchemaFile(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/**
 * Writes every schema of {@link SESSION_SCHEMA_FILES} into `outDir`, creating
 * it when missing and overwriting files of the same name.
 *
 * @param outDir - target folder
 * @returns the paths written, in {@link SESSION_SCHEMA_FILES} order
 */
export async function writeSchemaFiles(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, schema] of Object.entries(SESSION_SCHEMA_FILES)) {
    const path = join(outDir, name);
    await writeFile(path, renderSchemaFile(schema));
    written.push(path);
  }
  return written;
}
