// The store's own commands (src/command.ts): a command the connection dropped
// before writing it is `unavailable` (and never runs later); one written and
// then cut off stays `timeout`; a flushed script cache costs one resend.
import {
  type RedisServerHandle,
  startRedisServer,
  stopRedisServer,
  stopRedisServers,
} from '@greentic/redis-test-server';
import { sampleSession } from '@greentic/session-test-suite';
import { SessionError } from '@greentic/session-types';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_SERVER_AVAILABLE, REDIS_URL, uniqueNamespace } from './helpers.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    expect(SessionError.isInstance(err)).toBe(true);
    return (err as SessionError).code;
  }
}

describe.skipIf(REDIS_URL === '')('store commands: script cache', () => {
  it('a flushed script cache (NOSCRIPT) is recovered by sending the script again, under concurrency', async () => {
    const store = new RedisSessionStore({ url: REDIS_URL, namespace: uniqueNamespace() });
    const admin = new Redis(REDIS_URL);
    try {
      const sessions = Array.from({ length: 40 }, () => sampleSession({ ttlSecs: 0 }));
      await Promise.all(sessions.map((s) => store.put(s)));
      await admin.script('FLUSH');
      // Every script goes by its digest on this connection now, and the server
      // has forgotten them all: each first reply is NOSCRIPT.
      const written = await Promise.all(
        sessions.map(async (s) => {
          const got = await store.get(s.key);
          if (got === null) throw new Error('lost');
          return store.updateCas({ ...got.session, data: { n: 1 } }, got.cas);
        }),
      );
      expect(written.every((w) => w.ok)).toBe(true);
      const reread = await store.get(sessions[0]?.key as string);
      expect(reread?.session.data).toEqual({ n: 1 });
      // Twice in a row, and on every script.
      await admin.script('FLUSH');
      expect(await store.touch(sessions[1]?.key as string)).toBe(true);
      await admin.script('FLUSH');
      expect(await store.delete(sessions[1]?.key as string)).toBe(true);
      expect(await store.get(sessions[1]?.key as string)).toBeNull();
    } finally {
      await store.close();
      admin.disconnect();
    }
  });
});

// A private server: these tests stop it.
describe.skipIf(!REDIS_SERVER_AVAILABLE)('store commands: dropped before written', () => {
  const servers: RedisServerHandle[] = [];
  afterAll(async () => {
    await stopRedisServers(servers, 'SIGKILL');
  });

  it('commands a queueing client dropped unwritten are unavailable and never applied; written ones cut off are timeout', async () => {
    // Durable (every write synced), so what was stored before the kill is there after it.
    const durable = ['--appendonly', 'yes', '--appendfsync', 'always'];
    const server = await startRedisServer(undefined, undefined, durable);
    servers.push(server);
    // A caller's client that queues while disconnected (ioredis's default),
    // and gives up on queued commands at the first failed reconnect.
    const client = new Redis({
      port: server.port,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 200,
    });
    client.on('error', () => {});
    const store = new RedisSessionStore({
      client,
      namespace: uniqueNamespace(),
      commandTimeoutMs: 5000,
    });
    try {
      const kept = sampleSession({ ttlSecs: 0 });
      await store.put(kept);
      // Written while the server is frozen, then cut off by its death: these
      // reached the socket, so they may have run (`timeout`).
      process.kill(server.pid, 'SIGSTOP');
      const inFlight = [
        codeOf(store.put(sampleSession({ ttlSecs: 0 }))),
        codeOf(store.get(kept.key)),
      ];
      await new Promise((r) => setTimeout(r, 50));
      await stopRedisServer(server, 'SIGKILL', false);
      expect(await Promise.all(inFlight)).toEqual(['timeout', 'timeout']);
      while (client.status === 'ready') await new Promise((r) => setTimeout(r, 5));
      // Queued by ioredis (the connection is down), then dropped when the
      // reconnect fails: never written.
      const late = Array.from({ length: 10 }, () => sampleSession({ ttlSecs: 0 }));
      const codes = await Promise.all([
        ...late.map((s) => codeOf(store.put(s))),
        codeOf(store.updateCas({ ...kept, data: { late: true } }, 1)),
        codeOf(store.get(kept.key)),
      ]);
      expect(new Set(codes)).toEqual(new Set(['unavailable']));
      const restarted = await startRedisServer(server.port, server.dir, durable);
      servers[0] = restarted;
      while ((client.status as string) !== 'ready') await new Promise((r) => setTimeout(r, 20));
      // Nothing of them ran: not then, not on the reconnect.
      for (const s of late) expect(await store.get(s.key)).toBeNull();
      const now = await store.get(kept.key);
      expect(now?.session.data).toEqual(kept.data);
      expect(now?.cas).toBe(1);
    } finally {
      await store.close();
      client.disconnect();
    }
  });
});
