import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureRedisServer, startRedisServer, stopRedisServer } from '@greentic/redis-test-server';
import { InMemorySessionStore } from '@greentic/session-memory';
import { beforeAll, describe, expect, it } from 'vitest';
import { runQuickstart } from './quickstart.js';

describe('quickstart', () => {
  it('walks every step on the memory backend with the expected cas values', async () => {
    const lines: string[] = [];
    const history = await runQuickstart(new InMemorySessionStore(), (l) => lines.push(l));
    expect(history).toStrictEqual([1, 2, 3]);
    expect(lines.map((l) => l.split('.')[0])).toStrictEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    // printf 'tg:bot-9001:chat-42:user-1' | sha256sum
    expect(lines[0]).toContain('e9ec0b1df5b41e0785cbc58dfa3036317865737fce1a460de78b4be648aa3576');
    expect(lines[4]).toContain('conflict: stale, current cas 2');
    expect(lines[6]).toContain('ttlSecs now 7200, cas still 3');
    expect(lines[7]).toContain('null (fenced)');
    expect(lines[8]).toBe('9. delete -> true; get -> null');
  });

  const program = fileURLToPath(new URL('../dist/quickstart.js', import.meta.url));
  const run = (redisUrl?: string) => {
    const env = { ...process.env };
    delete env.REDIS_URL;
    if (redisUrl !== undefined) env.REDIS_URL = redisUrl;
    return execFileSync(process.execPath, [program], { encoding: 'utf8', env });
  };

  it('the built program prints every step and exits 0', () => {
    const out = run();
    expect(out).toMatch(/^greentic-session quickstart on memory:\/\//);
    expect(out).toMatch(/\n9\. delete -> true; get -> null\ndone\n$/);
  });

  // Installs redis-server when it is missing and the machine allows it, or
  // fails with one instruction: the Redis run of the quickstart never skips.
  beforeAll(() => ensureRedisServer(), 600_000);

  it('with REDIS_URL set, the same program runs every step on Redis', {
    timeout: 30_000,
  }, async () => {
    const server = await startRedisServer();
    try {
      const out = run(`redis://127.0.0.1:${server.port}/0?namespace=quickstart`);
      expect(out).toMatch(/^greentic-session quickstart on Redis\n/);
      expect(out).toContain('4. updateCas(expected 1) -> cas 2');
      expect(out).toContain(
        '5. stale writer updateCas(expected 1) -> conflict: stale, current cas 2',
      );
      expect(out).toContain('ttlSecs now 7200, cas still 3');
      expect(out).toMatch(/\n9\. delete -> true; get -> null\ndone\n$/);
    } finally {
      await stopRedisServer(server);
    }
  });
});
