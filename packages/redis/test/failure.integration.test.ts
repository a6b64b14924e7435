import {
  type RedisServerHandle,
  startRedisServer,
  stopRedisServer,
} from '@greentic/redis-test-server';
import { sampleSession } from '@greentic/session-test-suite';
import { SessionError } from '@greentic/session-types';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_SERVER_AVAILABLE, sleep, uniqueNamespace } from './helpers.js';

const TIMEOUT_MS = 500;

/** Runs `op` and returns the SessionError code it failed with and how long it took. */
async function failure(op: () => Promise<unknown>): Promise<{ code: string; ms: number }> {
  const start = performance.now();
  try {
    await op();
  } catch (err) {
    expect(SessionError.isInstance(err)).toBe(true);
    return { code: (err as SessionError).code, ms: performance.now() - start };
  }
  throw new Error('expected the operation to fail');
}

/** Retries `op` until it succeeds; returns how long that took. */
async function recovery(op: () => Promise<unknown>, limitMs = 10_000): Promise<number> {
  const start = performance.now();
  for (;;) {
    try {
      await op();
      return performance.now() - start;
    } catch (err) {
      if (performance.now() - start > limitMs) throw err;
      await sleep(20);
    }
  }
}

// Private servers: these tests stop, freeze and restart them.
describe.skipIf(!REDIS_SERVER_AVAILABLE)('failure behaviour against a real server', () => {
  const servers: RedisServerHandle[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    await Promise.all(servers.splice(0).map((s) => stopRedisServer(s, 'SIGKILL')));
  });

  async function setup() {
    const server = await startRedisServer();
    servers.push(server);
    const store = new RedisSessionStore({
      url: `redis://127.0.0.1:${server.port}`,
      namespace: uniqueNamespace(),
      commandTimeoutMs: TIMEOUT_MS,
    });
    closers.push(() => store.close());
    return { server, store };
  }

  it('a stopped server fails every operation promptly with unavailable or timeout, and the same store works again after a restart on the same port', async () => {
    const { server, store } = await setup();
    const session = sampleSession({ ttlSecs: 0 });
    const cas = await store.put(session);
    await stopRedisServer(server, 'SIGKILL', false);

    const report: Record<string, unknown> = {};
    const ops: [string, () => Promise<unknown>][] = [
      ['get', () => store.get(session.key)],
      ['get fenced', () => store.get(session.key, { tenantId: session.meta.tenantId })],
      ['put', () => store.put(session)],
      ['updateCas', () => store.updateCas(session, cas)],
      ['touch', () => store.touch(session.key)],
      ['delete', () => store.delete(session.key)],
    ];
    for (const [name, op] of ops) {
      const { code, ms } = await failure(op);
      report[name] = { code, ms: Math.round(ms) };
      expect(['unavailable', 'timeout']).toContain(code);
      // Bounded by the command timeout, with slack for a loaded machine: the contract is "no hang".
      expect(ms).toBeLessThan(TIMEOUT_MS * 3);
    }
    // Many concurrent callers while down: all fail, none hangs.
    const many = await Promise.allSettled(Array.from({ length: 50 }, () => store.get(session.key)));
    expect(many.every((r) => r.status === 'rejected')).toBe(true);

    const restarted = await startRedisServer(server.port, server.dir);
    servers.push(restarted);
    const recoveredMs = await recovery(() => store.get(session.key));
    report.recoveredMs = Math.round(recoveredMs);
    console.info('stopped server:', JSON.stringify(report));
    // The restarted server has no data (no persistence); the store writes again.
    expect(await store.get(session.key)).toBeNull();
    expect(await store.put(session)).toBe(1);
    expect((await store.get(session.key))?.cas).toBe(1);
  });

  it('a frozen server (SIGSTOP) gives timeout within the command timeout; the store recovers on SIGCONT', async () => {
    const { server, store } = await setup();
    const session = sampleSession();
    await store.put(session);
    process.kill(server.pid, 'SIGSTOP');
    try {
      const { code, ms } = await failure(() => store.get(session.key));
      expect(code).toBe('timeout');
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      // Bounded by the command timeout, with slack for a loaded machine: the contract is "no hang".
      expect(ms).toBeLessThan(TIMEOUT_MS * 3);
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    await recovery(() => store.get(session.key));
    expect((await store.get(session.key))?.cas).toBe(1);
  });

  it('a caller client without its own commandTimeout still gets timeout from a frozen server (the store enforces the deadline)', async () => {
    const { server } = await setup();
    const client = new Redis(`redis://127.0.0.1:${server.port}`, {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    closers.push(async () => client.disconnect());
    const store = new RedisSessionStore({
      client,
      namespace: uniqueNamespace(),
      commandTimeoutMs: TIMEOUT_MS,
    });
    const session = sampleSession();
    await store.put(session);
    process.kill(server.pid, 'SIGSTOP');
    try {
      const { code } = await failure(() => store.get(session.key));
      expect(code).toBe('timeout');
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    await recovery(() => store.get(session.key));
    expect(client.status).toBe('ready');
  });

  it('a store whose server never came up fails with unavailable, never sending later', async () => {
    const { server, store } = await setup();
    await stopRedisServer(server, 'SIGKILL', false);
    const fresh = new RedisSessionStore({
      url: `redis://127.0.0.1:${server.port}`,
      namespace: store.namespace,
      commandTimeoutMs: TIMEOUT_MS,
    });
    closers.push(() => fresh.close());
    const session = sampleSession();
    const { code } = await failure(() => fresh.put(session));
    expect(code).toBe('unavailable');
    const restarted = await startRedisServer(server.port, server.dir);
    servers.push(restarted);
    await recovery(() => fresh.get(session.key));
    // The put that failed was never replayed behind the caller's back.
    await sleep(200);
    expect(await fresh.get(session.key)).toBeNull();
  });

  it('after close() every operation throws unavailable; close is idempotent', async () => {
    const { store } = await setup();
    const session = sampleSession();
    await store.put(session);
    await store.close();
    await store.close();
    for (const op of [
      () => store.get(session.key),
      () => store.put(session),
      () => store.updateCas(session, 1),
      () => store.touch(session.key),
      () => store.delete(session.key),
    ]) {
      await expect(op()).rejects.toMatchObject({ code: 'unavailable' });
    }
  });

  it('a client passed in is used as is and never closed by the store', async () => {
    const { server } = await setup();
    const client = new Redis(`redis://127.0.0.1:${server.port}`);
    closers.push(() => client.quit());
    const store = new RedisSessionStore({ client, namespace: uniqueNamespace() });
    const session = sampleSession();
    expect(await store.put(session)).toBe(1);
    await store.close();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    // A second store on the same client defines the same commands again.
    const again = new RedisSessionStore({ client, namespace: store.namespace });
    expect((await again.get(session.key))?.cas).toBe(1);
    await again.close();
  });

  it('a shared client with the offline queue off: operations wait for the connection, bounded by the timeout', async () => {
    const { server } = await setup();
    const client = new Redis(`redis://127.0.0.1:${server.port}`, {
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    client.on('error', () => {});
    closers.push(async () => client.disconnect());
    const store = new RedisSessionStore({ client, commandTimeoutMs: TIMEOUT_MS });
    // lazyConnect: the store starts the connection and waits for ready.
    const session = sampleSession();
    expect(await store.put(session)).toBe(1);
    await store.delete(session.key);
    await store.close();
  });

  it('a server paused with CLIENT PAUSE gives timeout, then answers again', async () => {
    const { server, store } = await setup();
    const admin = new Redis(`redis://127.0.0.1:${server.port}`);
    closers.push(() => admin.quit());
    const session = sampleSession();
    await store.put(session);
    await admin.call('CLIENT', 'PAUSE', String(TIMEOUT_MS * 3), 'ALL');
    const { code } = await failure(() => store.get(session.key));
    expect(code).toBe('timeout');
    await admin.call('CLIENT', 'UNPAUSE');
    await recovery(() => store.get(session.key));
  });
});
