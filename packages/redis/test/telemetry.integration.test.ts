import {
  type RedisServerHandle,
  startRedisServer,
  stopRedisServer,
} from '@greentic/redis-test-server';
import type { SessionStoreEventMap } from '@greentic/session-core';
import { sampleSession } from '@greentic/session-test-suite';
import {
  createTelemetryHarness,
  describeStoreTelemetry,
  recordedStrings,
} from '@greentic/session-test-suite/telemetry';
import { SessionError } from '@greentic/session-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { parseRedisUrl } from '../src/url.js';
import {
  REDIS_CLUSTER_URL,
  REDIS_SERVER_AVAILABLE,
  REDIS_URL,
  sleep,
  uniqueNamespace,
} from './helpers.js';

const PASSWORD = 'pw-never-recorded-7f3a9c';
const USER = 'telemetry';

// A private server with an ACL user, so the store's URL holds a password
// that must appear in no attribute.
describe.skipIf(!REDIS_SERVER_AVAILABLE)('RedisSessionStore with a password in the URL', () => {
  let server: RedisServerHandle | undefined;
  let url = '';
  beforeAll(async () => {
    server = await startRedisServer(undefined, undefined, [
      '--user',
      USER,
      'on',
      `>${PASSWORD}`,
      '~*',
      '&*',
      '+@all',
    ]);
    url = `redis://${USER}:${PASSWORD}@127.0.0.1:${server.port}/0`;
  });
  afterAll(async () => {
    if (server !== undefined) await stopRedisServer(server, 'SIGKILL');
  });

  describeStoreTelemetry({
    name: 'RedisSessionStore (standalone)',
    system: 'redis',
    createStore: (telemetry) =>
      new RedisSessionStore({ url, namespace: uniqueNamespace(), telemetry }),
    expectedAttributes: { 'db.namespace': '0', 'server.address': '127.0.0.1' },
    secrets: [PASSWORD],
  });
});

describe.skipIf(REDIS_URL === '')('RedisSessionStore: span attributes from the URL', () => {
  it('server.port and db.collection.name (the namespace) are on every span; the database index is db.namespace', async () => {
    const h = createTelemetryHarness();
    const namespace = uniqueNamespace();
    const { port } = parseRedisUrl(REDIS_URL).nodes[0] as { port: number };
    const store = new RedisSessionStore({ url: REDIS_URL, namespace, telemetry: h.telemetry });
    try {
      await store.get('k');
      const [span] = h.spans();
      expect(span?.name).toBe(`get ${namespace}`);
      expect(span?.attributes).toMatchObject({
        'db.system.name': 'redis',
        'db.operation.name': 'get',
        'db.collection.name': namespace,
        'db.namespace': '0',
        'server.port': port,
      });
    } finally {
      await store.close();
      await h.shutdown();
    }
  });
});

describe.skipIf(REDIS_CLUSTER_URL === '')('RedisSessionStore on a cluster', () => {
  describeStoreTelemetry({
    name: 'RedisSessionStore (cluster)',
    system: 'redis',
    createStore: async (telemetry) => {
      const store = new RedisSessionStore({
        url: REDIS_CLUSTER_URL,
        namespace: uniqueNamespace(),
        // A cold Cluster client opens a connection per master; on a loaded
        // machine that can take longer than the default second.
        commandTimeoutMs: 5000,
        telemetry,
      });
      await store.ready(); // not an observed operation: no span
      return store;
    },
    expectedAttributes: { 'db.namespace': '0', 'server.address': '127.0.0.1' },
  });
});

/** Polls `check` every 20 ms until it holds, for at most `ms`. */
async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited >= ms) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe.skipIf(!REDIS_SERVER_AVAILABLE)('RedisSessionStore: a stopped server', () => {
  let server: RedisServerHandle | undefined;
  afterAll(async () => {
    if (server !== undefined) await stopRedisServer(server, 'SIGKILL');
  });

  it('reports disconnect and connection errors when they happen, records failed operations with their code, and connect again after a restart', async () => {
    server = await startRedisServer();
    const h = createTelemetryHarness();
    const store = new RedisSessionStore({
      url: `redis://127.0.0.1:${server.port}`,
      namespace: uniqueNamespace(),
      commandTimeoutMs: 300,
      telemetry: h.telemetry,
    });
    const events: { [E in keyof SessionStoreEventMap]?: SessionStoreEventMap[E][] } = {};
    for (const name of ['error', 'connect', 'disconnect'] as const) {
      const list: unknown[] = [];
      (events as Record<string, unknown[]>)[name] = list;
      store.on(name, (e) => list.push(e));
    }
    try {
      const session = sampleSession();
      expect(await store.put(session)).toBe(1);
      expect(events.connect).toEqual([{ backend: 'redis' }]);

      await stopRedisServer(server, 'SIGKILL', false);
      // Reported as it happens, before any operation fails.
      await eventually(() => (events.disconnect?.length ?? 0) === 1);
      await eventually(() => events.error?.some((e) => e.operation === 'connection') === true);
      const connectionError = events.error?.find((e) => e.operation === 'connection');
      expect(connectionError?.error.code).toBe('unavailable');
      expect(events.disconnect?.[0]?.backend).toBe('redis');

      const failures: string[] = [];
      for (const op of [
        () => store.get(session.key),
        () => store.put(session),
        () => store.updateCas(session, 1),
        () => store.touch(session.key),
        () => store.delete(session.key),
      ]) {
        const err = await op().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(SessionError.isInstance(err)).toBe(true);
        failures.push((err as SessionError).code);
      }
      expect(failures.every((c) => c === 'unavailable' || c === 'timeout')).toBe(true);
      const failed = h.spans().filter((s) => s.status.code === 2);
      expect(failed.map((s) => s.attributes['db.operation.name'])).toEqual([
        'get',
        'put',
        'updateCas',
        'touch',
        'delete',
      ]);
      expect(failed.map((s) => s.attributes['error.type'])).toEqual(failures);
      const opErrors = events.error?.filter((e) => e.operation !== 'connection') ?? [];
      expect(opErrors.map((e) => e.error.code)).toEqual(failures);
      for (const code of new Set(failures)) {
        expect(
          await h.total('greentic.session.errors', {
            'error.type': code,
            'db.system.name': 'redis',
          }),
        ).toBeGreaterThanOrEqual(failures.filter((c) => c === code).length);
      }
      expect(
        await h.total('greentic.session.connection.changes', {
          'greentic.session.connection.state': 'disconnected',
        }),
      ).toBe(1);

      server = await startRedisServer(server.port, server.dir);
      await eventually(() => (events.connect?.length ?? 0) === 2);
      expect(await store.put(session)).toBe(1);
      expect(
        await h.total('greentic.session.connection.changes', {
          'greentic.session.connection.state': 'connected',
        }),
      ).toBe(2);
      // Connection error messages are redacted like every cause.
      const strings = await recordedStrings(h);
      expect(strings.filter((s) => s.includes(session.key))).toEqual([]);
    } finally {
      await store.close();
      await h.shutdown();
    }
  });
});
