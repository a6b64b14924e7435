import { SessionError } from '@greentic/session-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createSessionStore,
  registeredSessionStoreSchemes,
  registerSessionStoreBackend,
  type SessionStoreBackend,
} from './factory.js';
import type { SessionStore } from './session-store.js';

const fakeStore = () => ({ close: async () => {} }) as unknown as SessionStore;

/** A backend that records what it was asked to open. */
function recorder(name: string, schemes: string[]) {
  const seen: unknown[][] = [];
  const backend: SessionStoreBackend = {
    name,
    schemes,
    open: (url, options) => {
      seen.push([url, options]);
      return fakeStore();
    },
  };
  return { backend, seen };
}

describe('createSessionStore', () => {
  it('opens with a backend passed in options.backends, handing it the url and backend options', async () => {
    const { backend, seen } = recorder('@example/two', ['two', 'two+cluster']);
    await createSessionStore('Two+Cluster://a:1,b:2?namespace=x', {
      backends: [backend],
      backendOptions: { commandTimeoutMs: 50 },
    });
    expect(seen).toStrictEqual([['Two+Cluster://a:1,b:2?namespace=x', { commandTimeoutMs: 50 }]]);
  });

  it('opens with a registered backend: a third-party scheme needs no change to core', async () => {
    const { backend, seen } = recorder('@example/kv', ['kv-test']);
    registerSessionStoreBackend(backend);
    expect(registeredSessionStoreSchemes()).toContain('kv-test');
    await createSessionStore('kv-test://somewhere');
    expect(seen).toStrictEqual([['kv-test://somewhere', undefined]]);
    // The same package registering again (a second installed copy) replaces it.
    const again = recorder('@example/kv', ['kv-test']);
    registerSessionStoreBackend(again.backend);
    await createSessionStore('kv-test://x');
    expect(again.seen).toHaveLength(1);
    expect(seen).toHaveLength(1);
  });

  it('keeps one registry per process, shared by every copy of core', () => {
    const { backend } = recorder('@example/shared', ['shared-test']);
    registerSessionStoreBackend(backend);
    const registry = (globalThis as Record<symbol, Map<string, SessionStoreBackend>>)[
      Symbol.for('greentic.session.backends')
    ];
    expect(registry?.get('shared-test')?.name).toBe('@example/shared');
  });

  it('refuses a scheme another package already serves, and malformed backends', () => {
    registerSessionStoreBackend(recorder('@example/first', ['taken-test']).backend);
    expect(() =>
      registerSessionStoreBackend(recorder('@example/second', ['taken-test']).backend),
    ).toThrow('taken-test:// is already served by @example/first');
    for (const bad of [
      null,
      { name: '', schemes: ['a'], open: () => null },
      { name: 'x', schemes: [], open: () => null },
      { name: 'x', schemes: ['Upper'], open: () => null },
      { name: 'x', schemes: ['a://'], open: () => null },
      { name: 'x', schemes: ['a'] },
    ]) {
      expect(() => registerSessionStoreBackend(bad as never)).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      );
    }
  });

  it('names the first-party package to install and import when no loaded backend serves the scheme', async () => {
    await expect(createSessionStore('redis://localhost:6379')).rejects.toMatchObject({
      code: 'unavailable',
      reason: 'missing_package',
      message: expect.stringContaining(
        "redis:// is served by @greentic/session-redis: install it (npm install @greentic/session-redis) and import it once (import '@greentic/session-redis'), or pass its backend in options.backends",
      ),
    });
    await expect(createSessionStore('memory://')).rejects.toMatchObject({
      message: expect.stringContaining('@greentic/session-memory'),
    });
  });

  it('says no backend serves an unknown scheme, listing the loaded ones', async () => {
    const err = await createSessionStore('postgres://db').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unavailable', reason: 'missing_package' });
    expect((err as Error).message).toContain('no backend serves postgres://');
    expect((err as Error).message).toMatch(/schemes loaded: .*kv-test:\/\//);
  });

  it('rejects non-URLs and non-strings', async () => {
    await expect(createSessionStore('localhost:6379')).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(createSessionStore(42 as never)).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('never echoes the URL in an error: it may hold a password (issue 10, defect 3)', async () => {
    for (const url of [
      'redis:/user:S3cret@host',
      'redis//user:S3cret@host:6379/0',
      'S3cret',
      'nothing-test://user:S3cret@host',
    ]) {
      const err = await createSessionStore(url).catch((e: unknown) => e);
      expect(SessionError.isInstance(err)).toBe(true);
      expect(String((err as Error).message)).not.toContain('S3cret');
      expect(JSON.stringify(err)).not.toContain('S3cret');
    }
  });

  it.each([
    ['a Date', new Date(), 'options must be a plain object, got Date'],
    ['an array', [], 'options must be an object, got an array'],
    ['an unknown option', { timeout: 1 }, 'options.timeout is not a known option'],
    ['backends that are not an array', { backends: {} }, 'options.backends must be an array'],
    ['a malformed backend', { backends: [{ name: 'x' }] }, 'options.backends[0].schemes'],
  ])('rejects %s as options (issue 10, defect 6)', async (_label, options, text) => {
    await expect(createSessionStore('memory://', options as never)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining(text),
    });
  });

  const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
  it(`any string as url reaches the backend of its scheme, or fails with a SessionError that never echoes it (fuzz, ${RUNS} runs)`, async () => {
    const schemes = ['fuzz-a', 'fuzz-b', 'FUZZ-A', 'postgres', 'x', ''];
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
    const { backend, seen } = recorder('@example/fuzz', ['fuzz-a', 'fuzz-b']);
    await fc.assert(
      fc.asyncProperty(url, async (u) => {
        seen.length = 0;
        const outcome = await createSessionStore(u, { backends: [backend] }).then(
          () => 'opened',
          (e: unknown) => e,
        );
        if (outcome === 'opened') {
          expect(seen).toStrictEqual([[u, undefined]]);
          expect(u).toMatch(/^fuzz-[ab]:\/\//i);
          return;
        }
        expect(SessionError.isInstance(outcome)).toBe(true);
        expect(['invalid_input', 'unavailable']).toContain((outcome as SessionError).code);
        expect(seen).toHaveLength(0);
        if (u.includes('S3cret')) expect((outcome as Error).message).not.toContain('S3cret');
      }),
      { numRuns: RUNS, seed: 20261127 },
    );
  });
});
