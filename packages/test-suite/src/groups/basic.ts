import { CAS_INITIAL } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { expectDeeplyFrozen, expectStored } from '../assertions.js';
import { edit, sampleSession, uniqueKey, withoutStamp } from '../fixtures.js';
import type { SuiteContext } from '../options.js';

/** Create, replace, read and delete. */
export function basicTests(ctx: SuiteContext): void {
  describe('basic', () => {
    it('get of a key never written returns null', async () => {
      const store = await ctx.open();
      expect(await store.get(uniqueKey())).toBeNull();
    });

    it('put of a new key returns cas 1 and get returns the session deep-equal', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      expect(await store.put(session)).toBe(CAS_INITIAL);
      const got = await expectStored(store, session.key);
      expect(got.cas).toBe(1);
      expect(withoutStamp(got.session)).toStrictEqual(withoutStamp(session));
    });

    it('put of an existing key replaces it and returns stored cas + 1', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      const replaced = edit(session, (s) => {
        s.cursor.nodeId = 'confirm';
      });
      expect(await store.put(replaced)).toBe(2);
      expect(await store.put(replaced)).toBe(3);
      const got = await expectStored(store, session.key);
      expect(got.cas).toBe(3);
      expect(got.session.cursor.nodeId).toBe('confirm');
    });

    it('put stamps updatedAt with the write time', async () => {
      const store = await ctx.open();
      const session = edit(sampleSession(), (s) => {
        s.updatedAt = '2000-01-01T00:00:00.000Z';
      });
      const before = Date.now();
      await store.put(session);
      const after = Date.now();
      const stamped = Date.parse((await expectStored(store, session.key)).session.updatedAt);
      expect(stamped).toBeGreaterThanOrEqual(before);
      expect(stamped).toBeLessThanOrEqual(after);
    });

    it('delete removes a session, returns true once, then false', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      expect(await store.delete(session.key)).toBe(true);
      expect(await store.get(session.key)).toBeNull();
      expect(await store.delete(session.key)).toBe(false);
    });

    it('put after delete starts again at cas 1', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      await store.put(session);
      await store.delete(session.key);
      expect(await store.put(session)).toBe(1);
    });

    it('keeps empty arrays and objects, nested labels and integers up to 2^53 - 1', async () => {
      const store = await ctx.open();
      const session = edit(sampleSession(), (s) => {
        s.meta.labels = {
          big: Number.MAX_SAFE_INTEGER,
          negative: -Number.MAX_SAFE_INTEGER,
          float: 0.1,
          emptyList: [],
          emptyObject: {},
          nested: { a: [[], [{}], { b: [null, false, ''] }] },
          unicode: 'héllo 👋 \u0000 "quoted"',
        };
        s.cursor.outboxSeq = Number.MAX_SAFE_INTEGER;
        s.outbox = [];
        s.meta.teamId = null;
        s.meta.userId = null;
        s.cursor.waitReason = null;
      });
      await store.put(session);
      const got = await expectStored(store, session.key);
      expect(withoutStamp(got.session)).toStrictEqual(withoutStamp(session));
    });

    it('returns a deeply frozen snapshot and never freezes or keeps the caller object', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      expect(Object.isFrozen(session)).toBe(false);
      expect(Object.isFrozen(session.meta.labels)).toBe(false);
      session.cursor.nodeId = 'changed-after-put';
      (session.meta.labels.nested as { list: unknown[] }).list.push('extra');
      const got = await store.get(session.key);
      if (got === null) throw new Error('session not stored');
      expect(got.session.cursor.nodeId).toBe('ask-name');
      expect((got.session.meta.labels.nested as { list: unknown[] }).list).toHaveLength(4);
      expectDeeplyFrozen(got, 'stored');
      expect(() => {
        (got.session.cursor as { nodeId: string }).nodeId = 'x';
      }).toThrow(TypeError);
    });

    it('close makes later calls throw unavailable and is idempotent', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.close();
      await store.close();
      for (const call of [
        () => store.get(session.key),
        () => store.put(session),
        () => store.updateCas(session, 1),
        () => store.delete(session.key),
        () => store.touch(session.key),
      ]) {
        const err = await call().then(
          () => null,
          (e: { code?: string }) => e,
        );
        expect(err?.code).toBe('unavailable');
      }
    });
  });
}
