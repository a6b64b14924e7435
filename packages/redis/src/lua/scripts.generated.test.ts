import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, LUA_DIR, renderScriptsModule } from '../../scripts/generate-lua.mjs';
import { LUA_SCRIPTS } from './scripts.generated.js';

describe('src/lua/scripts.generated.ts', () => {
  it('matches the .lua files (run `pnpm --filter @greentic/session-redis generate` after editing one)', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(renderScriptsModule());
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
});
