import { Socket } from 'node:net';
import { SessionError } from '@greentic/session-core';
import { sampleSession } from '@greentic/session-test-suite';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COALESCE_COMMANDS } from '../src/connection.js';
import { RedisSessionStore, type RedisSessionStoreOptions } from '../src/redis-session-store.js';
import { REDIS_CLUSTER_URL, REDIS_URL, uniqueNamespace } from './helpers.js';

// Write coalescing on the store's own client: a burst of commands leaves in
// one socket write per COALESCE_COMMANDS, each command keeping its own reply.
// Socket writes are counted where Node hands them to the OS (`_write` for one
// chunk, `_writev` for several), on sockets to the test server only.

const port = REDIS_URL === '' ? 0 : Number(new URL(REDIS_URL).port);
/** Ports of the cluster's seed nodes (every master). */
const clusterPorts = new Set(
  REDIS_CLUSTER_URL === ''
    ? []
    : REDIS_CLUSTER_URL.replace(/^redis\+cluster:\/\//, '')
        .split(',')
        .map((hostPort) => Number(hostPort.split(':')[1])),
);

describe.skipIf(!REDIS_URL)('write coalescing', () => {
  const writes: Socket[] = [];
  const stores: RedisSessionStore[] = [];
  const clients: Redis[] = [];

  beforeEach(() => {
    writes.length = 0;
    for (const method of ['_write', '_writev'] as const) {
      const original = Socket.prototype[method] as (...args: unknown[]) => unknown;
      vi.spyOn(Socket.prototype, method).mockImplementation(function (
        this: Socket,
        ...args: unknown[]
      ) {
        if (this.remotePort === port || clusterPorts.has(this.remotePort ?? 0)) writes.push(this);
        return original.apply(this, args);
      });
    }
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const c of clients.splice(0)) c.disconnect();
  });

  async function open(options: RedisSessionStoreOptions = {}): Promise<RedisSessionStore> {
    const store = new RedisSessionStore({
      ...(options.client === undefined ? { url: REDIS_URL } : {}),
      namespace: uniqueNamespace(),
      ...options,
    });
    stores.push(store);
    await store.ready();
    return store;
  }

  /** Puts `n` sessions one by one, so every script is loaded and nothing is pending. */
  async function seed(store: RedisSessionStore, n: number) {
    const sessions = Array.from({ length: n }, (_, i) =>
      sampleSession({ key: `coalesce:${i}`, tenantId: 'acme' }),
    );
    for (const s of sessions) await store.put(s);
    return sessions;
  }

  it(`sends a burst of 64 commands in ${64 / COALESCE_COMMANDS} socket writes, each with its own reply`, async () => {
    const store = await open();
    const sessions = await seed(store, 64);
    writes.length = 0;
    const got = await Promise.all(sessions.map((s) => store.get(s.key)));
    expect(writes).toHaveLength(64 / COALESCE_COMMANDS);
    expect(new Set(writes).size).toBe(1);
    expect(got.map((g) => g?.session.key)).toEqual(sessions.map((s) => s.key));
  });

  it('sends a lone command before the tick ends: nothing waits for a timer', async () => {
    const store = await open();
    const [session] = await seed(store, 1);
    if (session === undefined) throw new Error('seed returned nothing');
    writes.length = 0;
    const pending = store.get(session.key);
    expect(writes).toHaveLength(0);
    // A `process.nextTick` queued now runs after the store's flush.
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(writes).toHaveLength(1);
    expect((await pending)?.session.key).toBe(session.key);
  });

  it('keeps each reply and each error its own inside a coalesced burst', async () => {
    const store = await open();
    const sessions = await seed(store, 6);
    writes.length = 0;
    const results = await Promise.allSettled(
      sessions.map((s, i) =>
        // Every other write expects a cas the session does not have.
        store.updateCas(s, i % 2 === 0 ? 1 : 7),
      ),
    );
    expect(writes).toHaveLength(1);
    expect(results.map((r) => r.status === 'fulfilled' && r.value.ok)).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
    for (const [i, s] of sessions.entries()) {
      expect((await store.get(s.key))?.cas).toBe(i % 2 === 0 ? 2 : 1);
    }
  });

  it('fails a burst whose socket dies before it is sent, and recovers', async () => {
    const store = await open();
    const sessions = await seed(store, 5);
    // The store's socket: the one the puts were written to.
    const socket = writes.at(-1);
    if (socket === undefined) throw new Error('no write seen');
    writes.length = 0;
    const burst = sessions.map((s) => store.updateCas(s, 1));
    // The socket dies in the same tick, still holding the burst back.
    socket.destroy();
    expect(writes).toHaveLength(0);
    const results = await Promise.allSettled(burst);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(SessionError);
      // Written to a socket (as far as the client knows): it may have run.
      expect(['timeout', 'unavailable']).toContain((r as PromiseRejectedResult).reason.code);
    }
    // Nothing of the burst reached Redis: every session is still at cas 1.
    for (const s of sessions) expect((await store.get(s.key))?.cas).toBe(1);
    // The store reconnects by itself; the same burst now lands.
    const again = await Promise.all(sessions.map((s) => store.updateCas(s, 1)));
    expect(again.map((r) => r.ok)).toEqual(sessions.map(() => true));
  });

  it('is off on a caller’s client: every command is its own write', async () => {
    const client = new Redis(REDIS_URL);
    clients.push(client);
    const store = await open({ client });
    const sessions = await seed(store, 16);
    writes.length = 0;
    await Promise.all(sessions.map((s) => store.get(s.key)));
    expect(writes).toHaveLength(16);
  });

  it('leaves batching to ioredis when redisOptions ask for its auto-pipelining', async () => {
    const store = await open({ redisOptions: { enableAutoPipelining: true } });
    const sessions = await seed(store, 64);
    writes.length = 0;
    const got = await Promise.all(sessions.map((s) => store.get(s.key)));
    // One pipeline: a single write for the whole burst.
    expect(writes).toHaveLength(1);
    expect(got.map((g) => g?.session.key)).toEqual(sessions.map((s) => s.key));
  });

  describe.skipIf(REDIS_CLUSTER_URL === '')('on a 3-master cluster', () => {
    async function openCluster(clusterOptions?: RedisSessionStoreOptions['clusterOptions']) {
      const store = new RedisSessionStore({
        url: REDIS_CLUSTER_URL,
        namespace: uniqueNamespace(),
        ...(clusterOptions === undefined ? {} : { clusterOptions }),
      });
      stores.push(store);
      await store.ready();
      return store;
    }

    it('sends a burst of 64 commands in a few writes per master, each with its own reply', async () => {
      const store = await openCluster();
      const sessions = await seed(store, 64);
      // The keys are spread over every master.
      writes.length = 0;
      const got = await Promise.all(sessions.map((s) => store.get(s.key)));
      expect(new Set(writes).size).toBe(3);
      // At most one write per master per COALESCE_COMMANDS commands.
      expect(writes.length).toBeLessThanOrEqual(3 * (64 / COALESCE_COMMANDS));
      expect(got.map((g) => g?.session.key)).toEqual(sessions.map((s) => s.key));
    });

    it('is off when clusterOptions ask for ioredis auto-pipelining', async () => {
      const store = await openCluster({ enableAutoPipelining: true });
      const sessions = await seed(store, 64);
      writes.length = 0;
      const got = await Promise.all(sessions.map((s) => store.get(s.key)));
      // ioredis sends one pipeline per master.
      expect(writes.length).toBe(new Set(writes).size);
      expect(got.map((g) => g?.session.key)).toEqual(sessions.map((s) => s.key));
    });

    it('without coalescing, every command is its own write (the counting is right)', async () => {
      const client = new Redis.Cluster(
        [...clusterPorts].map((p) => ({ host: '127.0.0.1', port: p })),
      );
      const store = new RedisSessionStore({ client, namespace: uniqueNamespace() });
      stores.push(store);
      await store.ready();
      const sessions = await seed(store, 16);
      writes.length = 0;
      await Promise.all(sessions.map((s) => store.get(s.key)));
      expect(writes).toHaveLength(16);
      await store.close();
      client.disconnect();
    });
  });
});
