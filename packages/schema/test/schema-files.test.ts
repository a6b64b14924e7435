import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import {
  DEFAULT_SCHEMA_DIR,
  JSON_SCHEMA_DIALECT,
  type JsonSchema,
  renderSchemaFile,
  runExportCli,
  SCHEMA_ID_BASE,
  SESSION_SCHEMA_FILES,
} from '../src/index.js';

const REGENERATE = 'pnpm --filter @greentic/session-schema export';

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'session-schema-'));
  tempDirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('committed schema files', () => {
  it.each(Object.keys(SESSION_SCHEMA_FILES))(
    '%s equals what the source generates',
    async (name) => {
      const committed = await readFile(join(DEFAULT_SCHEMA_DIR, name), 'utf8').catch(
        () => '<missing>',
      );
      const generated = renderSchemaFile(SESSION_SCHEMA_FILES[name] as JsonSchema);
      expect(committed, `schemas/${name} is stale: run \`${REGENERATE}\``).toBe(generated);
    },
  );

  it('holds no file the source does not generate', async () => {
    expect((await readdir(DEFAULT_SCHEMA_DIR)).sort()).toEqual(
      Object.keys(SESSION_SCHEMA_FILES).sort(),
    );
  });

  it('are each exported as a package subpath', () => {
    for (const name of Object.keys(SESSION_SCHEMA_FILES)) {
      expect(packageJson.exports).toHaveProperty([`./${name}`], `./schemas/${name}`);
    }
  });

  it.each(Object.entries(SESSION_SCHEMA_FILES))(
    '%s is a valid 2020-12 schema whose $id names its file',
    (name, schema) => {
      expect(schema.$schema).toBe(JSON_SCHEMA_DIALECT);
      expect(schema.$id).toBe(`${SCHEMA_ID_BASE}${name}`);
      const ajv = new Ajv2020({ allowUnionTypes: true, validateFormats: false, logger: false });
      expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
      expect(() => ajv.compile(schema)).not.toThrow();
    },
  );

  it('closes every object the model defines (additionalProperties: false)', () => {
    const open: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (typeof node !== 'object' || node === null) return;
      const s = node as Record<string, unknown>;
      if (s.properties !== undefined && s.additionalProperties !== false) open.push(at);
      for (const [k, v] of Object.entries(s)) walk(v, `${at}/${k}`);
    };
    for (const [name, schema] of Object.entries(SESSION_SCHEMA_FILES)) walk(schema, name);
    expect(open).toEqual([]);
  });
});

describe('export command', () => {
  it('writes every schema file into --out, resolved from the starting folder', async () => {
    const cwd = await tempDir();
    const lines: string[] = [];
    const code = await runExportCli(['--', '--out', 'docs/schemas'], {
      cwd,
      log: (l) => lines.push(l),
    });
    expect(code).toBe(0);
    const dir = join(cwd, 'docs/schemas');
    expect((await readdir(dir)).sort()).toEqual(Object.keys(SESSION_SCHEMA_FILES).sort());
    expect(lines).toEqual(Object.keys(SESSION_SCHEMA_FILES).map((n) => `wrote ${join(dir, n)}`));
    for (const [name, schema] of Object.entries(SESSION_SCHEMA_FILES)) {
      expect(JSON.parse(await readFile(join(dir, name), 'utf8'))).toEqual(schema);
    }
  });

  it('without --out writes into the folder it was started from, not the package folder', async () => {
    const cwd = await tempDir();
    const lines: string[] = [];
    expect(await runExportCli([], { cwd, log: (l) => lines.push(l) })).toBe(0);
    expect((await readdir(cwd)).sort()).toEqual(Object.keys(SESSION_SCHEMA_FILES).sort());
    expect(lines.every((l) => l.startsWith(`wrote ${cwd}/`))).toBe(true);
    expect(lines.some((l) => l.includes(DEFAULT_SCHEMA_DIR))).toBe(false);
  });

  it('accepts an absolute -o path and overwrites existing files', async () => {
    const dir = await tempDir();
    const log = () => {};
    expect(await runExportCli(['-o', dir], { cwd: '/nonexistent', log })).toBe(0);
    expect(await runExportCli(['-o', dir], { cwd: '/nonexistent', log })).toBe(0);
    expect(await readFile(join(dir, 'session.schema.json'), 'utf8')).toBe(
      renderSchemaFile(SESSION_SCHEMA_FILES['session.schema.json'] as JsonSchema),
    );
  });

  it('prints usage for --help and exits 2 on an unknown option', async () => {
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    expect(await runExportCli(['--help'], { cwd: '.', log })).toBe(0);
    expect(lines.join('\n')).toContain('Usage: greentic-session-schema [--out <dir>]');
    lines.length = 0;
    expect(await runExportCli(['--bogus'], { cwd: '.', log })).toBe(2);
    expect(lines[0]).toMatch(/^\[@greentic\/session-schema\] export: .*--bogus/);
  });
});
