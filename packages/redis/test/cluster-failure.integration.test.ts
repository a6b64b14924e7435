import {
  type RedisServerHandle,
  startRedisCluster,
  startRedisServer,
  stopRedisServer,
  stopRedisServers,
} from '@greentic/redis-test-server';
import { sampleSession } from '@greentic/session-test-suite';
import { SessionError } from '@greentic/session-types';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_SERVER_AVAILABLE, sleep, uniqueNamespace } from './helpers.js';

const TIMEOUT_MS = 500;

// A private cluster: this test stops and restarts one of its masters.
describe.skipIf(!REDIS_SERVER_AVAILABLE)('cluster: a stopped master', () => {
  const servers: RedisServerHandle[] = [];
  afterAll(async () => {
    await stopRedisServers(servers, 'SIGKILL');
  });

  it('fails its slots promptly with unavailable (never sent, never applied) or timeout while the other masters keep serving, and the store recovers after its restart', async () => {
    servers.push(...(await startRedisCluster()));
    const store = new RedisSessionStore({
      clusterNodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
      namespace: uniqueNamespace(),
      commandTimeoutMs: TIMEOUT_MS,
    });
    try {
      const sessions = Array.from({ length: 30 }, () => sampleSession({ ttlSecs: 0 }));
      for (const s of sessions) await store.put(s);
      const victim = servers[0] as RedisServerHandle;
      await stopRedisServer(victim, 'SIGKILL', false);
      const outcomes = await Promise.all(
        sessions.map(async (s) => {
          const start = performance.now();
          try {
            await store.get(s.key);
            return { ok: true, ms: performance.now() - start, code: '' };
          } catch (err) {
            expect(SessionError.isInstance(err)).toBe(true);
            return { ok: false, ms: performance.now() - start, code: (err as SessionError).code };
          }
        }),
      );
      const failed = outcomes.filter((o) => !o.ok);
      expect(failed.length).toBeGreaterThan(0);
      expect(outcomes.some((o) => o.ok)).toBe(true);
      for (const f of failed) {
        expect(['unavailable', 'timeout']).toContain(f.code);
        expect(f.ms).toBeLessThan(TIMEOUT_MS * 3);
      }
      // Writes that failed while the master was down: are they replayed later?
      const lateWrites = Array.from({ length: 30 }, () => sampleSession({ ttlSecs: 0 }));
      const lateResults = await Promise.allSettled(lateWrites.map((s) => store.put(s)));
      const failedWrites = lateWrites.filter((_, i) => lateResults[i]?.status === 'rejected');
      expect(failedWrites.length).toBeGreaterThan(0);
      // The master's connection is known to be down by now: a write for its
      // slots is refused before it is written, so it says so (`unavailable`).
      const lateCodes = lateResults.flatMap((r) =>
        r.status === 'rejected' ? [(r.reason as SessionError).code] : [],
      );
      for (const code of lateCodes) expect(['unavailable', 'timeout']).toContain(code);
      expect(lateCodes).toContain('unavailable');
      const unsent = lateWrites.filter(
        (_, i) =>
          lateResults[i]?.status === 'rejected' &&
          ((lateResults[i] as PromiseRejectedResult).reason as SessionError).code === 'unavailable',
      );
      const restarted = await startRedisServer(victim.port, victim.dir, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${victim.port}.conf`,
      ]);
      servers[0] = restarted;
      const start = performance.now();
      let recovered = false;
      while (!recovered && performance.now() - start < 15_000) {
        const results = await Promise.allSettled(sessions.map((s) => store.put(s)));
        recovered = results.every((r) => r.status === 'fulfilled');
        if (!recovered) await sleep(50);
      }
      console.info(
        'cluster master stopped:',
        JSON.stringify({
          failed: failed.length,
          of: outcomes.length,
          codes: [...new Set(failed.map((f) => f.code))],
          maxMs: Math.round(Math.max(...failed.map((f) => f.ms))),
          recoveredMs: Math.round(performance.now() - start),
        }),
      );
      expect(recovered).toBe(true);
      await sleep(500);
      const replayed = await Promise.all(failedWrites.map((s) => store.get(s.key)));
      console.info(
        'cluster writes failed while down:',
        failedWrites.length,
        'codes:',
        JSON.stringify(lateCodes),
        'later found applied:',
        replayed.filter((r) => r !== null).length,
      );
      // What was reported as never sent never ran, then or after the restart.
      for (const s of unsent) expect(await store.get(s.key)).toBeNull();
    } finally {
      await store.close();
    }
  });
});
