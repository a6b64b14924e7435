import { createSession } from '@greentic/session-core';
import { describe, expect, it, vi } from 'vitest';
import { InMemorySessionStore } from './in-memory-session-store.js';

function put(store: InMemorySessionStore, tenantId: string, i: number, ttlSecs = 3600) {
  return store.put(
    createSession({ key: `${tenantId}-k${i}`, tenantId, flowId: 'f', nodeId: 'n', ttlSecs }),
  );
}

describe('InMemorySessionStore operator calls (tenant index)', () => {
  it('examine only the tenant’s keys, however large the store', async () => {
    const store = new InMemorySessionStore();
    for (let i = 0; i < 2000; i++) await put(store, 'big', i);
    for (let i = 0; i < 7; i++) await put(store, 'small', i);
    const progress: number[] = [];
    const result = await store.purgeSessions({
      tenantId: 'small',
      dryRun: true,
      onProgress: (p) => progress.push(p.scanned),
    });
    expect(result).toStrictEqual({ scanned: 7, matched: 7, deleted: 0 });
    expect(progress).toStrictEqual([7]);
    expect(await store.countSessions({ tenantId: 'nobody' })).toBe(0);
  }, 30_000);

  it('the index follows deletes, expiry sweeps and close', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const store = new InMemorySessionStore({ sweepBatchSize: 1000 });
      for (let i = 0; i < 10; i++) await put(store, 'acme', i, i < 4 ? 1 : 3600);
      await store.delete('acme-k9');
      vi.advanceTimersByTime(1500);
      expect(store.sweepExpired()).toBe(4);
      expect((await store.purgeSessions({ tenantId: 'acme', dryRun: true })).scanned).toBe(5);
      const page = await store.listSessions({ tenantId: 'acme', limit: 2 });
      expect(page.sessions.map((s) => s.key)).toStrictEqual(['acme-k4', 'acme-k5']);
      await store.close();
      await expect(store.countSessions({ tenantId: 'acme' })).rejects.toMatchObject({
        code: 'unavailable',
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('an abort between batches rejects with the reason; what was deleted stays deleted', async () => {
    const store = new InMemorySessionStore();
    for (let i = 0; i < 2500; i++) await put(store, 'acme', i);
    const controller = new AbortController();
    const reason = new Error('stop');
    const seen: number[] = [];
    await expect(
      store.purgeSessions({
        tenantId: 'acme',
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p.deleted);
          controller.abort(reason);
        },
      }),
    ).rejects.toBe(reason);
    expect(seen).toStrictEqual([1000]);
    expect(await store.countSessions({ tenantId: 'acme' })).toBe(1500);
  }, 30_000);
});
