import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  expandIncludes,
  GENERATED_PATH,
  LUA_DIR,
  renderScriptsModule,
} from '../../scripts/generate-lua.mjs';
import { LUA_SCRIPTS, SCRIPTS_PACKAGE_VERSION } from './scripts.generated.js';

const PACKAGE_VERSION: string = JSON.parse(
  readFileSync(join(LUA_DIR, '..', '..', 'package.json'), 'utf8'),
).version;

describe('src/lua/scripts.generated.ts', () => {
  it('matches the .lua files and the package version (run `pnpm --filter @greentic/session-redis generate`)', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(renderScriptsModule());
    expect(SCRIPTS_PACKAGE_VERSION).toBe(PACKAGE_VERSION);
  });

  it('holds one script per .lua file, each opening with a contract header', () => {
    const files = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua'));
    expect(Object.keys(LUA_SCRIPTS)).toHaveLength(files.length);
    for (const file of files) {
      const lua = readFileSync(join(LUA_DIR, file), 'utf8');
      expect(lua.startsWith('--[[\n')).toBe(true);
      const header = lua.slice(0, lua.indexOf(']]'));
      expect(header).toMatch(/KEYS\[1\]/);
      expect(header).toMatch(/ARGV\[1\]/);
      expect(header).toMatch(/Returns /);
    }
  });

  it('registers each script under a name carrying the package version and its own digest', () => {
    const names = new Set<string>();
    for (const [name, script] of Object.entries(LUA_SCRIPTS)) {
      const digest = createHash('sha1').update(script.lua).digest('hex').slice(0, 8);
      const version = PACKAGE_VERSION.replace(/[^0-9A-Za-z]/g, '_');
      expect(script.command).toBe(`greenticSession_${name}_${version}_${digest}`);
      names.add(script.command);
    }
    expect(names.size).toBe(Object.keys(LUA_SCRIPTS).length);
  });

  it('inlines the shared fragment, so no script builds a key or reads the JSON itself', () => {
    for (const script of Object.values(LUA_SCRIPTS)) {
      expect(script.lua).not.toMatch(/^--@include/m);
      expect(script.lua).toContain('local function readSession');
      expect(script.numberOfKeys).toBe(1);
      // Every key comes from KEYS; cjson is never used.
      expect(script.lua).not.toMatch(/cjson\./);
      // The key argument of every command is KEYS[1], directly or through a helper's parameter.
      const keyArgs = [...script.lua.matchAll(/redis\.p?call\('\w+', ([^,)]+)/g)].map((m) => m[1]);
      expect(keyArgs.length).toBeGreaterThan(0);
      for (const arg of keyArgs) expect(['key', 'KEYS[1]']).toContain(arg);
    }
    expect(expandIncludes('a\n--@include session-value\nb')).toContain(
      'local function writeSession',
    );
  });
});
