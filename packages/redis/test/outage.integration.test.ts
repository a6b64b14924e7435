import {
  type RedisServerHandle,
  startRedisServer,
  stopRedisServer,
} from '@greentic/redis-test-server';
import { createSession, mutate } from '@greentic/session-core';
import { sampleSession } from '@greentic/session-test-suite';
import { SessionError } from '@greentic/session-types';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_SERVER_AVAILABLE, sleep, uniqueNamespace } from './helpers.js';

function codeOf(err: unknown): string {
  return SessionError.isInstance(err) ? err.code : `raw ${String(err)}`;
}

// Private servers: these tests pause, kill and restart them.
describe.skipIf(!REDIS_SERVER_AVAILABLE)('outages: what each error promises is true', () => {
  const servers: RedisServerHandle[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((f) => f()));
    await Promise.all(servers.splice(0).map((s) => stopRedisServer(s, 'SIGKILL')));
  });

  it('during CLIENT PAUSE WRITE (a failover) reads answer; a write times out and lands after the pause', async () => {
    const server = await startRedisServer();
    servers.push(server);
    const url = `redis://127.0.0.1:${server.port}`;
    const raw = new Redis(url);
    const store = new RedisSessionStore({
      url,
      namespace: uniqueNamespace(),
      commandTimeoutMs: 400,
    });
    cleanup.push(
      () => store.close(),
      () => raw.quit(),
    );
    const session = sampleSession({ ttlSecs: 0 });
    await store.put(session);
    await raw.client('PAUSE', 1500, 'WRITE');
    // Both reads are plain GETs, which a write pause does not hold.
    expect((await store.get(session.key))?.cas).toBe(1);
    expect((await store.get(session.key, { tenantId: session.meta.tenantId }))?.cas).toBe(1);
    // A write is held by the server: no reply in time, and it may still be applied.
    const err = await store.put(session).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('timeout');
    await sleep(1500);
    expect((await store.get(session.key))?.cas).toBe(2);
  });

  it('kill -9 under a write storm (AOF, appendfsync always): no write reported unavailable was applied, no acknowledged write lost', async () => {
    const server = await startRedisServer(undefined, undefined, [
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
    ]);
    servers.push(server);
    const url = `redis://127.0.0.1:${server.port}`;
    const ns = uniqueNamespace();
    const store = new RedisSessionStore({ url, namespace: ns, commandTimeoutMs: 300 });
    cleanup.push(() => store.close());
    const counter = createSession({
      key: 'counter',
      tenantId: 'acme',
      flowId: 'f',
      nodeId: 'n',
      ttlSecs: 0,
      labels: { n: 0 },
    });
    await store.put(counter);

    const outcomes = new Map<string, string>();
    const mutates: string[] = [];
    let stop = false;
    let next = 0;
    const writer = async () => {
      while (!stop) {
        const key = `storm-${next++}`;
        try {
          await store.put(
            createSession({ key, tenantId: 'acme', flowId: 'f', nodeId: 'n', ttlSecs: 0 }),
          );
          outcomes.set(key, 'ok');
        } catch (err) {
          outcomes.set(key, codeOf(err));
          await sleep(5);
        }
      }
    };
    const incrementer = async () => {
      while (!stop) {
        try {
          await mutate(store, 'counter', (s) => ({
            ...s,
            meta: { ...s.meta, labels: { n: (s.meta.labels.n as number) + 1 } },
          }));
          mutates.push('ok');
        } catch (err) {
          mutates.push(codeOf(err));
          await sleep(5);
        }
      }
    };
    const workers = [
      ...Array.from({ length: 32 }, writer),
      ...Array.from({ length: 4 }, incrementer),
    ];
    await sleep(300);
    await stopRedisServer(server, 'SIGKILL', false);
    await sleep(400);
    // Same port, same dir: the AOF is replayed.
    const restarted = await startRedisServer(server.port, server.dir, [
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
    ]);
    servers.splice(0, 1, restarted);
    await sleep(700);
    stop = true;
    await Promise.all(workers);

    const raw = new Redis(url);
    cleanup.push(() => raw.quit());
    const tally: Record<string, number> = {};
    for (const [key, outcome] of outcomes) {
      tally[outcome] = (tally[outcome] ?? 0) + 1;
      const exists = (await raw.exists(`${ns}:{${key}}`)) === 1;
      if (outcome === 'ok') expect(exists, `acknowledged ${key} was lost`).toBe(true);
      else if (outcome === 'unavailable')
        expect(exists, `${key} was reported unavailable but applied`).toBe(false);
      else expect(outcome).toBe('timeout');
    }
    const okIncrements = mutates.filter((m) => m === 'ok').length;
    const maybe = mutates.filter((m) => m === 'timeout').length;
    for (const m of mutates) expect(['ok', 'timeout', 'unavailable']).toContain(m);
    const n = (await store.get('counter'))?.session.meta.labels.n as number;
    // Every acknowledged increment is there; beyond them, only ones whose
    // outcome was unknown (timeout) may have landed, never an unavailable one.
    expect(n).toBeGreaterThanOrEqual(okIncrements);
    expect(n).toBeLessThanOrEqual(okIncrements + maybe);
    // The storm really crossed the outage, both ways.
    expect(tally.ok ?? 0).toBeGreaterThan(50);
    expect(tally.unavailable ?? 0).toBeGreaterThan(0);
    console.info(
      'kill -9 storm outcomes:',
      JSON.stringify({
        puts: tally,
        mutates: {
          ok: okIncrements,
          timeout: maybe,
          unavailable: mutates.length - okIncrements - maybe,
        },
        counter: n,
      }),
    );
  }, 30_000);
});
