import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeSchemaFiles } from './schema-files.js';

/**
 * The package's own `schemas/` folder, committed in the repository and
 * shipped in the tarball. The export never writes here unless told to with
 * `--out`: installed, it lies inside `node_modules`.
 */
export const DEFAULT_SCHEMA_DIR = fileURLToPath(new URL('../schemas/', import.meta.url));

const USAGE = `Usage: greentic-session-schema [--out <dir>]

Writes the JSON Schema files of @greentic/session-schema into <dir>
(default: the folder the command was started from). A relative <dir> is
resolved against that folder too.`;

/** Where {@link runExportCli} resolves paths and prints. */
export interface ExportCliIo {
  /** Folder the command was started from: the default output, and the base of a relative `--out`. */
  cwd: string;
  /** Prints one line of output. */
  log: (line: string) => void;
}

/**
 * Runs the export command: parses `argv` (without node and script), writes
 * the schema files into `--out` or, by default, the folder the command was
 * started from, and reports each path.
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
  const outDir = resolve(io.cwd, values.out ?? '.');
  for (const path of await writeSchemaFiles(outDir)) io.log(`wrote ${path}`);
  return 0;
}
