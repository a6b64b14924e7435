import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeSchemaFiles } from './schema-files.js';

/** The package's committed `schemas/` folder: where the export writes by default. */
export const DEFAULT_SCHEMA_DIR = fileURLToPath(new URL('../schemas/', import.meta.url));

const USAGE = `Usage: greentic-session-schema [--out <dir>]

Writes the JSON Schema files of @greentic/session-schema into <dir>
(default: the package's own schemas/ folder). A relative <dir> is resolved
against the folder the command was started from.`;

/** Where {@link runExportCli} resolves paths and prints. */
export interface ExportCliIo {
  /** Folder relative `--out` paths are resolved against. */
  cwd: string;
  /** Prints one line of output. */
  log: (line: string) => void;
}

/**
 * Runs the export command: parses `argv` (without node and script), writes
 * the schema files and reports each path.
 *
 * @param argv - command-line arguments, for example `['--out', 'docs/schemas']`
 * @param io - working folder and output; pnpm's `INIT_CWD` makes
 *   `pnpm --filter @greentic/session-schema export -- --out <dir>` resolve
 *   `<dir>` from where pnpm was started
 * @returns the process exit code: 0 on success, 2 on a usage error
 */
export async function runExportCli(argv: readonly string[], io: ExportCliIo): Promise<number> {
  // `pnpm run export -- --out x` may pass the `--` separator through.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: { out?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args,
      options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.log(`[@greentic/session-schema] export: ${(error as Error).message}`);
    io.log(USAGE);
    return 2;
  }
  if (values.help) {
    io.log(USAGE);
    return 0;
  }
  const outDir = values.out === undefined ? DEFAULT_SCHEMA_DIR : resolve(io.cwd, values.out);
  for (const path of await writeSchemaFiles(outDir)) io.log(`wrote ${path}`);
  return 0;
}
