import { InMemorySessionStore } from '@greentic/session-memory';
import { describe, expect, it } from 'vitest';
import { createTurnRunner } from './turn-runner.js';

/** Deterministic PRNG (mulberry32) so a failing seed can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('random interleavings (3 runners, redeliveries, failing handlers)', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: the state and the effects are exactly those of the distinct events that committed`, async () => {
      const random = rng(seed);
      const store = new InMemorySessionStore();
      const runners = [0, 1, 2].map(() =>
        createTurnRunner<{ ids: string[] }>({
          store,
          tenantId: 'acme',
          initial: () => ({ ids: [] }),
          maxAttempts: 500,
          baseDelayMs: 0,
          maxDelayMs: 3,
          random,
        }),
      );
      const sent: string[] = [];
      const okDeliveries = new Set<string>();
      const allIds = new Set<string>();
      const jobs: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        // Ids repeat: about a third of deliveries are redeliveries.
        const id = `e${Math.floor(random() * 27)}`;
        const fail = random() < 0.1;
        allIds.add(id);
        if (!fail) okDeliveries.add(id);
        const runner = runners[Math.floor(random() * runners.length)];
        const delay = Math.floor(random() * 4);
        jobs.push(
          (runner as (typeof runners)[number])
            .run('chat', id, async (turn) => {
              const data = turn.data as { ids: string[] };
              await sleep(delay);
              data.ids.push(id);
              turn.effect(id, () => sent.push(id));
              if (fail) throw new Error(`handler for ${id} failed`);
            })
            .catch((err: unknown) => {
              if (!(err instanceof Error) || !err.message.startsWith('handler for')) throw err;
            }),
        );
      }
      await Promise.all(jobs);
      const got = await store.get('chat');
      const ids = (got?.session.data as { ids: string[] } | undefined)?.ids ?? [];
      // Each id is in the state at most once, and sent exactly once.
      expect(new Set(ids).size).toBe(ids.length);
      expect([...sent].sort()).toStrictEqual([...ids].sort());
      expect(got?.session.cursor.outboxSeq).toBe(ids.length);
      // An id with a delivery whose handler succeeded committed; one whose every
      // delivery failed left no trace.
      for (const id of allIds) expect(ids.includes(id)).toBe(okDeliveries.has(id));
    });
  }
});
