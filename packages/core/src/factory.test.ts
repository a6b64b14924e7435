import { SessionError } from '@greentic/session-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSessionStore } from './factory.js';
import type { SessionStore } from './session-store.js';

const notFound = (specifier: string) =>
  Object.assign(new Error(`Cannot find package '${specifier}' imported from x`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });

describe('createSessionStore', () => {
  it('loads the package of the scheme and hands it the url and backend options', async () => {
    const seen: unknown[] = [];
    const fake = { close: async () => {} } as unknown as SessionStore;
    const store = await createSessionStore('Redis+Cluster://a:1,b:2?namespace=x', {
      backendOptions: { commandTimeoutMs: 50 },
      importModule: async (specifier) => {
        seen.push(specifier);
        return {
          openSessionStore: (url: string, options: unknown) => {
            seen.push(url, options);
            return fake;
          },
        };
      },
    });
    expect(store).toBe(fake);
    expect(seen).toStrictEqual([
      '@greentic/session-redis',
      'Redis+Cluster://a:1,b:2?namespace=x',
      { commandTimeoutMs: 50 },
    ]);
  });

  it('names the package to install when it is missing', async () => {
    await expect(
      createSessionStore('redis://localhost:6379', {
        importModule: async (s) => Promise.reject(notFound(s)),
      }),
    ).rejects.toMatchObject({
      code: 'unavailable',
      reason: 'missing_package',
      message:
        '[@greentic/session-core] createSessionStore: redis:// needs the package @greentic/session-redis: install it (npm install @greentic/session-redis, or pnpm add @greentic/session-redis)',
    });
  });

  it('names a missing driver of an installed backend as such, not the backend', async () => {
    // What Node says when the backend is there and ioredis is not: the message
    // quotes the backend's own path too.
    const missingDriver = Object.assign(
      new Error(
        "Cannot find package 'ioredis' imported from /app/node_modules/@greentic/session-redis/dist/connection.js",
      ),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
    const cjs = Object.assign(
      new Error(
        "Cannot find module 'ioredis/built/index.js'\nRequire stack:\n- /app/node_modules/@greentic/session-redis/dist/index.js",
      ),
      { code: 'MODULE_NOT_FOUND' },
    );
    for (const err of [missingDriver, cjs]) {
      await expect(
        createSessionStore('redis://localhost:6379', {
          importModule: async () => Promise.reject(err),
        }),
      ).rejects.toMatchObject({
        code: 'unavailable',
        reason: 'missing_package',
        message:
          '[@greentic/session-core] createSessionStore: @greentic/session-redis is installed but its dependency ioredis is not: install it (npm install ioredis, or pnpm add ioredis)',
      });
    }
  });

  it('reports a package that fails to load, or exports no openSessionStore, as internal', async () => {
    await expect(
      createSessionStore('memory://', {
        importModule: async () => Promise.reject(new SyntaxError('bad')),
      }),
    ).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining('loading @greentic/session-memory failed'),
    });
    await expect(
      createSessionStore('memory://', { importModule: async () => ({}) }),
    ).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining('does not export openSessionStore'),
    });
  });

  it('rejects unknown schemes and non-URLs', async () => {
    await expect(createSessionStore('postgres://db')).rejects.toThrow(
      'unknown scheme "postgres://"; supported: memory://',
    );
    await expect(createSessionStore('localhost:6379')).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(createSessionStore(42 as never)).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('never echoes the URL in an error: it may hold a password (issue 10, defect 3)', async () => {
    for (const url of ['redis:/user:S3cret@host', 'redis//user:S3cret@host:6379/0', 'S3cret']) {
      const err = await createSessionStore(url).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'invalid_input' });
      expect(String((err as Error).message)).not.toContain('S3cret');
      expect(JSON.stringify(err)).not.toContain('S3cret');
    }
  });

  it.each([
    ['a Date', new Date(), 'options must be a plain object, got Date'],
    ['an array', [], 'options must be an object, got an array'],
    ['an unknown option', { timeout: 1 }, 'options.timeout is not a known option'],
    [
      'a non-function importModule',
      { importModule: 'x' },
      'options.importModule must be a function',
    ],
  ])('rejects %s as options (issue 10, defect 6)', async (_label, options, text) => {
    await expect(createSessionStore('memory://', options as never)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining(text),
    });
  });

  const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
  it(`any string as url either reaches the backend of its scheme or is invalid_input, never echoed (fuzz, ${RUNS} runs)`, async () => {
    const schemes = ['memory', 'redis', 'rediss', 'redis+cluster', 'REDIS', 'postgres', 'x', ''];
    const url = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc
        .tuple(
          fc.constantFrom(...schemes),
          fc.constantFrom('://', ':/', '//', ':', '://user:S3cret@'),
          fc.string({ unit: 'binary', maxLength: 40 }),
        )
        .map(([a, b, c]) => `${a}${b}${c}`),
    );
    await fc.assert(
      fc.asyncProperty(url, async (u) => {
        const opened: string[] = [];
        const outcome = await createSessionStore(u, {
          importModule: async () => ({
            openSessionStore: (given: string) => {
              opened.push(given);
              return { close: async () => {} } as unknown as SessionStore;
            },
          }),
        }).then(
          () => 'opened',
          (e: unknown) => e,
        );
        if (outcome === 'opened') {
          expect(opened).toStrictEqual([u]);
          expect(u).toMatch(/^(memory|rediss?|redis\+cluster|rediss\+cluster):\/\//i);
          return;
        }
        expect(SessionError.isInstance(outcome)).toBe(true);
        expect((outcome as SessionError).code).toBe('invalid_input');
        expect(opened).toHaveLength(0);
        if (u.includes('S3cret')) expect((outcome as Error).message).not.toContain('S3cret');
      }),
      { numRuns: RUNS, seed: 20261127 },
    );
  });
});
