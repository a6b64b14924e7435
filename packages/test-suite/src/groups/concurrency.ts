import { mutate } from '@greentic/session-core';
import { describe, expect, it } from 'vitest';
import { expectSessionError, expectStored } from '../assertions.js';
import { sampleSession, uniqueKey } from '../fixtures.js';
import type { SuiteContext } from '../options.js';

const count = (labels: Readonly<Record<string, unknown>>) =>
  (labels.count as number | undefined) ?? 0;

/** `mutate` under contention: no lost update. */
export function concurrencyTests(ctx: SuiteContext): void {
  describe('concurrency', () => {
    it(`mutate from ${ctx.concurrentWriters} concurrent writers loses no update`, async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      const writers = Array.from({ length: ctx.concurrentWriters }, (_, i) =>
        mutate(
          store,
          session.key,
          (current) => ({
            ...current,
            meta: {
              ...current.meta,
              labels: {
                ...current.meta.labels,
                count: count(current.meta.labels) + 1,
                [`w${i}`]: true,
              },
            },
          }),
          { maxAttempts: 1000, baseDelayMs: 1, maxDelayMs: 20 },
        ),
      );
      const results = await Promise.all(writers);
      expect(results.every((r) => r !== null)).toBe(true);
      const got = await expectStored(store, session.key);
      expect(got.cas).toBe(1 + ctx.concurrentWriters);
      expect(got.session.meta.labels.count).toBe(ctx.concurrentWriters);
      for (let i = 0; i < ctx.concurrentWriters; i++)
        expect(got.session.meta.labels[`w${i}`]).toBe(true);
      const cases = results.map((r) => r?.cas).sort((x = 0, y = 0) => x - y);
      expect(cases).toStrictEqual(Array.from({ length: ctx.concurrentWriters }, (_, i) => i + 2));
    });

    it('mutate returns null and writes nothing when the key is missing', async () => {
      const store = await ctx.open();
      const key = uniqueKey();
      let called = false;
      expect(
        await mutate(store, key, (s) => {
          called = true;
          return s;
        }),
      ).toBeNull();
      expect(called).toBe(false);
      expect(await store.get(key)).toBeNull();
    });

    it('mutate gives up with a conflict error after maxAttempts', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      // A competing write lands between every read and write of mutate.
      const err = await expectSessionError(
        mutate(
          store,
          session.key,
          async (current) => {
            await store.put(session);
            return current;
          },
          { maxAttempts: 3, baseDelayMs: 0 },
        ),
        'conflict',
        'after 3',
      );
      expect(err.message).toContain('mutate');
      expect((await expectStored(store, session.key)).cas).toBe(4);
    });

    it('mutate with tenantId does not see another tenant’s session', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      expect(await mutate(store, session.key, (s) => s, { tenantId: 'someone-else' })).toBeNull();
      expect(
        (await mutate(store, session.key, (s) => s, { tenantId: session.meta.tenantId }))?.cas,
      ).toBe(2);
    });
  });
}
