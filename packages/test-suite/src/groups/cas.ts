import { describe, expect, it } from 'vitest';
import { expectSessionError, expectStored } from '../assertions.js';
import { edit, sampleSession, uniqueKey, uniqueTenant, withoutStamp } from '../fixtures.js';
import type { SuiteContext } from '../options.js';

/** Compare-and-set, including the ABA check on the session id. */
export function casTests(ctx: SuiteContext): void {
  describe('cas', () => {
    it('updateCas(session, current) writes and returns expected + 1 with the stored session', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      const next = edit(session, (s) => {
        s.cursor.nodeId = 'step-2';
      });
      const result = await store.updateCas(next, 1);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.cas).toBe(2);
      expect(result.session.cursor.nodeId).toBe('step-2');
      const got = await expectStored(store, session.key);
      expect(got.cas).toBe(2);
      expect(got.session).toStrictEqual(result.session);
    });

    it('updateCas(session, stale) returns the current cas and writes nothing', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      await store.put(session);
      const before = await store.get(session.key);
      const stale = edit(session, (s) => {
        s.cursor.nodeId = 'lost';
      });
      expect(await store.updateCas(stale, 1)).toStrictEqual({
        ok: false,
        current: 2,
        reason: 'stale',
      });
      expect(await store.updateCas(stale, 7)).toStrictEqual({
        ok: false,
        current: 2,
        reason: 'stale',
      });
      expect(await store.get(session.key)).toStrictEqual(before);
    });

    it('updateCas of a missing key with an expected cas above 0 returns current 0 and creates nothing', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      for (const expected of [1, 2, 7]) {
        expect(await store.updateCas(session, expected)).toStrictEqual({
          ok: false,
          current: 0,
          reason: 'missing',
        });
      }
      expect(await store.get(session.key)).toBeNull();
    });

    it('updateCas(session, 0) creates an absent key at cas 1, and only an absent one', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      const created = await store.updateCas(session, 0);
      expect(created).toMatchObject({ ok: true, cas: 1 });
      const stored = await expectStored(store, session.key);
      expect(stored.cas).toBe(1);
      expect(withoutStamp(stored.session)).toStrictEqual(withoutStamp(session));
      // Present now: the same create is a conflict and writes nothing.
      expect(await store.updateCas(session, 0)).toStrictEqual({
        ok: false,
        current: 1,
        reason: 'stale',
      });
      const other = sampleSession({ key: session.key, tenantId: session.meta.tenantId });
      expect(await store.updateCas(other, 0)).toStrictEqual({
        ok: false,
        current: 1,
        reason: 'replaced',
      });
      expect(await expectStored(store, session.key)).toStrictEqual(stored);
    });

    it('of many writers creating one key with updateCas(session, 0) at once, exactly one wins', async () => {
      const store = await ctx.open();
      const key = uniqueKey();
      const tenantId = uniqueTenant();
      const writers = Array.from({ length: 20 }, () => sampleSession({ key, tenantId }));
      // A warm store, as in production: the connection serving this key is open.
      expect(await store.get(key)).toBeNull();
      const results = await Promise.all(writers.map((s) => store.updateCas(s, 0)));
      const winners = results.flatMap((r, i) => (r.ok ? [writers[i]] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) if (!r.ok) expect(r.current).toBe(1);
      const stored = await expectStored(store, key);
      expect(stored.cas).toBe(1);
      expect(stored.session.id).toBe(winners[0]?.id);
    });

    it('updateCas(session, 0) creates again after a delete or an expiry, never over a live session of another tenant', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      expect((await store.updateCas(session, 0)).ok).toBe(true);
      expect(await store.delete(session.key)).toBe(true);
      expect(await store.updateCas(session, 0)).toMatchObject({ ok: true, cas: 1 });
      const intruder = sampleSession({ key: session.key, tenantId: uniqueTenant() });
      await expectSessionError(store.updateCas(intruder, 0), 'tenant_mismatch');
      expect((await expectStored(store, session.key)).session.id).toBe(session.id);
    });

    it('a stale writer cannot overwrite a session deleted and recreated at the same cas (ABA)', async () => {
      const store = await ctx.open();
      const key = uniqueKey();
      const first = sampleSession({ key });
      await store.put(first);
      const read = await expectStored(store, key);
      expect(read.cas).toBe(1);
      await store.delete(key);
      const second = sampleSession({ key, tenantId: first.meta.tenantId });
      expect(second.id).not.toBe(first.id);
      expect(await store.put(second)).toBe(1);
      const staleWrite = edit(first, (s) => {
        s.cursor.nodeId = 'from-the-old-incarnation';
      });
      expect(await store.updateCas(staleWrite, 1)).toStrictEqual({
        ok: false,
        current: 1,
        reason: 'replaced',
      });
      const got = await expectStored(store, key);
      expect(got.session.id).toBe(second.id);
      expect(withoutStamp(got.session)).toStrictEqual(withoutStamp(second));
    });

    it('successive updateCas calls increment the cas by one each', async () => {
      const store = await ctx.open();
      let session = sampleSession();
      let cas = await store.put(session);
      for (let i = 0; i < 5; i++) {
        session = edit(session, (s) => {
          s.cursor.outboxSeq += 1;
        });
        const result = await store.updateCas(session, cas);
        expect(result).toMatchObject({ ok: true, cas: cas + 1 });
        cas += 1;
      }
      expect((await expectStored(store, session.key)).cas).toBe(6);
    });

    it('of concurrent updateCas calls with the same expected cas exactly one wins', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      const writers = Array.from({ length: 10 }, (_, i) =>
        store.updateCas(
          edit(session, (s) => {
            s.cursor.nodeId = `writer-${i}`;
          }),
          1,
        ),
      );
      const results = await Promise.all(writers);
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      for (const r of results)
        if (!r.ok) expect(r).toStrictEqual({ ok: false, current: 2, reason: 'stale' });
      const got = await expectStored(store, session.key);
      expect(got.cas).toBe(2);
      const winner = winners[0];
      if (!winner?.ok) throw new Error('no winner');
      expect(got.session.cursor.nodeId).toBe(winner.session.cursor.nodeId);
    });
  });
}
