import { describe, expect, it } from 'vitest';
import { expectSessionError, expectStored } from '../assertions.js';
import { edit, sampleSession, uniqueTenant } from '../fixtures.js';
import type { SuiteContext } from '../options.js';

/** A key belongs to the tenant that created it. */
export function tenantTests(ctx: SuiteContext): void {
  describe('tenant fence', () => {
    it("put of another tenant's key throws tenant_mismatch and writes nothing", async () => {
      const store = await ctx.open();
      const owned = sampleSession();
      await store.put(owned);
      const before = await store.get(owned.key);
      const intruder = edit(owned, (s) => {
        s.meta.tenantId = uniqueTenant('intruder');
        s.cursor.nodeId = 'hijacked';
      });
      await expectSessionError(store.put(intruder), 'tenant_mismatch', 'put');
      expect(await store.get(owned.key)).toStrictEqual(before);
    });

    it("updateCas of another tenant's key throws tenant_mismatch and writes nothing", async () => {
      const store = await ctx.open();
      const owned = sampleSession();
      const cas = await store.put(owned);
      const before = await store.get(owned.key);
      const intruder = edit(owned, (s) => {
        s.meta.tenantId = uniqueTenant('intruder');
      });
      await expectSessionError(store.updateCas(intruder, cas), 'tenant_mismatch', 'updateCas');
      expect(await store.get(owned.key)).toStrictEqual(before);
    });

    it("fenced get, delete and touch of another tenant's key behave as if it did not exist", async () => {
      const store = await ctx.open();
      const owned = sampleSession();
      await store.put(owned);
      const before = await store.get(owned.key);
      const other = { tenantId: uniqueTenant('other') };
      expect(await store.get(owned.key, other)).toBeNull();
      expect(await store.touch(owned.key, 5, other)).toBe(false);
      expect(await store.delete(owned.key, other)).toBe(false);
      expect(await store.get(owned.key)).toStrictEqual(before);
      expect(await store.get(owned.key, { tenantId: owned.meta.tenantId })).toStrictEqual(before);
    });

    it('fenced calls by the owner behave like unfenced ones', async () => {
      const store = await ctx.open();
      const owned = sampleSession();
      await store.put(owned);
      const mine = { tenantId: owned.meta.tenantId };
      expect(await store.touch(owned.key, 120, mine)).toBe(true);
      expect((await expectStored(store, owned.key, mine)).session.ttlSecs).toBe(120);
      expect(await store.delete(owned.key, mine)).toBe(true);
      expect(await store.get(owned.key)).toBeNull();
    });

    it('forTenant gives a view that sees only its tenant and refuses to write for others', async () => {
      const store = await ctx.open();
      const owned = sampleSession();
      await store.put(owned);
      const mine = store.forTenant(owned.meta.tenantId);
      const theirs = store.forTenant(uniqueTenant('other'));
      expect(mine.tenantId).toBe(owned.meta.tenantId);
      expect((await expectStored(mine, owned.key)).cas).toBe(1);
      expect(await theirs.get(owned.key)).toBeNull();
      expect(await theirs.touch(owned.key, 1)).toBe(false);
      expect(await theirs.delete(owned.key)).toBe(false);
      await expectSessionError(theirs.put(owned), 'tenant_mismatch');
      await expectSessionError(theirs.updateCas(owned, 1), 'tenant_mismatch');
      expect(await mine.put(owned)).toBe(2);
      expect(await mine.updateCas(owned, 2)).toMatchObject({ ok: true, cas: 3 });
      expect(await mine.delete(owned.key)).toBe(true);
    });

    it('once the owner deletes a key, another tenant may create it', async () => {
      const store = await ctx.open();
      const owned = sampleSession();
      await store.put(owned);
      await store.delete(owned.key);
      const newcomer = sampleSession({ key: owned.key });
      expect(await store.put(newcomer)).toBe(1);
      expect(await store.get(owned.key, { tenantId: owned.meta.tenantId })).toBeNull();
      expect(
        (await expectStored(store, owned.key, { tenantId: newcomer.meta.tenantId })).session.id,
      ).toBe(newcomer.id);
    });

    it('once a key expires, another tenant may create it', async () => {
      const store = await ctx.open();
      const owned = sampleSession({ ttlSecs: 1 });
      await store.put(owned);
      await ctx.capabilities.advanceTime(1100);
      const newcomer = sampleSession({ key: owned.key });
      expect(await store.put(newcomer)).toBe(1);
    });

    it('forTenant rejects an invalid tenant id', async () => {
      const store = await ctx.open();
      expect(() => store.forTenant('a:b')).toThrowError(/tenantId/);
      expect(() => store.forTenant('lookup')).toThrowError(/reserved/);
    });
  });
}
