import { randomUUID } from 'node:crypto';
import { InMemorySessionStore } from '@greentic/session-memory';
import { describe, expect, it } from 'vitest';
import { createTurnRunner } from './turn-runner.js';

describe('turn runner: hooks', () => {
  it('every conflicting turn attempt is reported once to the store retry listeners', async () => {
    const store = new InMemorySessionStore({ telemetry: false });
    const retries: number[] = [];
    const conflicts: string[] = [];
    store.on('retry', (e) => retries.push(e.attempt));
    store.on('conflict', (e) => conflicts.push(e.reason));
    const runner = createTurnRunner<{ n: number }>({
      store,
      tenantId: 'acme',
      initial: () => ({ n: 0 }),
      baseDelayMs: 0,
      maxAttempts: 1000,
    });
    const key = `k-${randomUUID()}`;
    // Create the session first, so every conflict below is a turn's.
    await runner.run(key, 'create', (t) => {
      t.data = { n: 0 };
    });
    const turns = 6;
    const results = await Promise.all(
      Array.from({ length: turns }, (_, i) =>
        runner.run(key, `e${i}`, async (t) => {
          await new Promise((r) => setImmediate(r));
          t.data = { n: (t.data?.n ?? 0) + 1 };
        }),
      ),
    );
    const extra = results.reduce((sum, r) => sum + r.attempts - 1, 0);
    expect(extra).toBeGreaterThan(0);
    expect(retries).toHaveLength(extra);
    expect(retries.every((a) => a >= 2)).toBe(true);
    expect(conflicts).toEqual(Array.from({ length: extra }, () => 'stale'));
    expect((await store.get(key))?.session.data).toEqual({ n: turns });
    await store.close();
  });
});
