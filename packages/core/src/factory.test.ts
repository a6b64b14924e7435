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
});
