import { describe, expect, it } from 'vitest';
import { expectStored } from '../assertions.js';
import { sampleSession } from '../fixtures.js';
import type { SuiteContext } from '../options.js';

/**
 * Expiry, touch and `ttlSecs: 0`. TTLs are short (1–3 units) so a real clock
 * stays fast; a unit is the backend's `minTtlSecs` (default 1 s), and every
 * wait scales with it.
 */
export function ttlTests(ctx: SuiteContext): void {
  const u = ctx.capabilities.minTtlSecs ?? 1;
  /** `units` TTL units, in seconds. */
  const t = (units: number) => units * u;
  /** Lets `ms` milliseconds per TTL unit pass. */
  const wait = (ms: number) => ctx.capabilities.advanceTime(ms * u);

  describe('ttl', () => {
    it('an expired session is never returned and every operation treats it as missing', async () => {
      const store = await ctx.open();
      const session = sampleSession({ ttlSecs: t(1) });
      await store.put(session);
      await store.put(session);
      expect((await expectStored(store, session.key)).cas).toBe(2);
      await wait(1100);
      expect(await store.get(session.key)).toBeNull();
      expect(await store.get(session.key, { tenantId: session.meta.tenantId })).toBeNull();
      expect(await store.touch(session.key, 60)).toBe(false);
      expect(await store.updateCas(session, 2)).toStrictEqual({
        ok: false,
        current: 0,
        reason: 'missing',
      });
      expect(await store.delete(session.key)).toBe(false);
      expect(await store.get(session.key)).toBeNull();
      expect(await store.put(session)).toBe(1);
    });

    // A fake clock can stop 1 ms short of the expiry; a server clock is only
    // trusted to a second (network and scheduling), so real clocks stop 1 s short.
    const margin = ctx.capabilities.clock === 'fake' ? '1 ms' : '1 s';
    it(`a session with ttlSecs 2 is still live ${margin} before its ttl elapses`, async () => {
      const store = await ctx.open();
      const session = sampleSession({ ttlSecs: t(2) });
      await store.put(session);
      await wait(ctx.capabilities.clock === 'fake' ? 1999 : 1000);
      expect((await expectStored(store, session.key)).cas).toBe(1);
    });

    it('ttlSecs 0 never expires', async () => {
      const store = await ctx.open();
      const session = sampleSession({ ttlSecs: 0 });
      await store.put(session);
      await wait(ctx.capabilities.clock === 'fake' ? 10 * 365 * 24 * 3600 * 1000 : 1100);
      expect((await expectStored(store, session.key)).session.ttlSecs).toBe(0);
    });

    it('touch restarts the expiry and bumps updatedAt without changing the cas', async () => {
      const store = await ctx.open();
      const session = sampleSession({ ttlSecs: t(2) });
      await store.put(session);
      const before = await expectStored(store, session.key);
      await wait(1200);
      expect(await store.touch(session.key)).toBe(true);
      await wait(1200);
      const got = await expectStored(store, session.key);
      expect(got.cas).toBe(before.cas);
      expect(got.session.ttlSecs).toBe(t(2));
      expect(Date.parse(got.session.updatedAt)).toBeGreaterThanOrEqual(
        Date.parse(before.session.updatedAt) + 1200 * u,
      );
      await wait(1000);
      expect(await store.get(session.key)).toBeNull();
    });

    it('touch(key, ttlSecs) sets a new ttl; null keeps the current one', async () => {
      const store = await ctx.open();
      const session = sampleSession({ ttlSecs: t(1) });
      await store.put(session);
      expect(await store.touch(session.key, t(3))).toBe(true);
      expect((await expectStored(store, session.key)).session.ttlSecs).toBe(t(3));
      await wait(1500);
      expect(await store.touch(session.key, null)).toBe(true);
      expect((await expectStored(store, session.key)).session.ttlSecs).toBe(t(3));
      await wait(1500);
      expect((await expectStored(store, session.key)).session.ttlSecs).toBe(t(3));
    });

    it('touch(key, 0) makes a session permanent', async () => {
      const store = await ctx.open();
      const session = sampleSession({ ttlSecs: t(1) });
      await store.put(session);
      expect(await store.touch(session.key, 0)).toBe(true);
      await wait(1100);
      expect((await expectStored(store, session.key)).session.ttlSecs).toBe(0);
    });

    it('touch of a missing key returns false and creates nothing', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      expect(await store.touch(session.key, 60)).toBe(false);
      expect(await store.get(session.key)).toBeNull();
    });

    it('updateCas restarts the expiry from the write', async () => {
      const store = await ctx.open();
      const session = sampleSession({ ttlSecs: t(2) });
      const cas = await store.put(session);
      await wait(1200);
      expect((await store.updateCas(session, cas)).ok).toBe(true);
      await wait(1200);
      expect((await expectStored(store, session.key)).cas).toBe(2);
    });

    it('put with a shorter ttl shortens the expiry', async () => {
      const store = await ctx.open();
      const session = sampleSession({ ttlSecs: 0 });
      await store.put(session);
      await store.put({ ...session, ttlSecs: t(1) });
      await wait(1100);
      expect(await store.get(session.key)).toBeNull();
    });
  });
}
