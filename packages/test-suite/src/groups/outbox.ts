import { createOutboxEntry } from '@greentic/session-core';
import { describe, expect, it } from 'vitest';
import { expectStored } from '../assertions.js';
import { edit, sampleSession } from '../fixtures.js';
import type { SuiteContext } from '../options.js';

/** Outbox deduplication by `(seq, payloadSha256)`. */
export function outboxTests(ctx: SuiteContext): void {
  describe('outbox', () => {
    const a = createOutboxEntry(1, 'alpha', Date.parse('2026-01-01T00:00:00.000Z'));
    const aLater = createOutboxEntry(1, 'alpha', Date.parse('2026-01-01T00:05:00.000Z'));
    const b = createOutboxEntry(2, 'beta', Date.parse('2026-01-01T00:01:00.000Z'));
    const aOtherPayload = createOutboxEntry(
      1,
      'alpha-edited',
      Date.parse('2026-01-01T00:02:00.000Z'),
    );

    it('put keeps the first of repeated (seq, payloadSha256) entries, in order', async () => {
      const store = await ctx.open();
      const session = edit(sampleSession(), (s) => {
        s.outbox = [a, b, aLater, b, aOtherPayload];
      });
      await store.put(session);
      const got = await expectStored(store, session.key);
      expect(got.session.outbox).toStrictEqual([a, b, aOtherPayload]);
    });

    it('updateCas dedupes an appended entry that repeats an earlier one', async () => {
      const store = await ctx.open();
      const session = edit(sampleSession(), (s) => {
        s.outbox = [a, b];
      });
      const cas = await store.put(session);
      const retried = edit(session, (s) => {
        s.outbox.push(aLater);
      });
      const result = await store.updateCas(retried, cas);
      expect(result.ok && result.session.outbox).toStrictEqual([a, b]);
      expect((await expectStored(store, session.key)).session.outbox).toStrictEqual([a, b]);
    });

    it('the same seq with a different payload digest is a different entry', async () => {
      const store = await ctx.open();
      const session = edit(sampleSession(), (s) => {
        s.outbox = [a, aOtherPayload];
      });
      await store.put(session);
      expect((await expectStored(store, session.key)).session.outbox).toHaveLength(2);
    });
  });
}
