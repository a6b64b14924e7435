import { inspect } from 'node:util';
import {
  type RedisServerHandle,
  startRedisServer,
  stopRedisServer,
} from '@greentic/redis-test-server';
import { createSession } from '@greentic/session-core';
import { sampleSession } from '@greentic/session-test-suite';
import { SessionError } from '@greentic/session-types';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { openSessionStore } from '../src/open-session-store.js';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_CLUSTER_URL, REDIS_SERVER_AVAILABLE, uniqueNamespace } from './helpers.js';

async function rejection(p: Promise<unknown>): Promise<SessionError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(SessionError.isInstance(err)).toBe(true);
  return err as SessionError;
}

function dump(err: unknown): string {
  return `${inspect(err, { depth: 20, showHidden: true })}${JSON.stringify(err)}${String(err)}`;
}

describe.skipIf(!REDIS_SERVER_AVAILABLE)('server configuration met at startup and in use', () => {
  const servers: RedisServerHandle[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((f) => f()));
    await Promise.all(servers.splice(0).map((s) => stopRedisServer(s, 'SIGKILL')));
  });

  async function server(args: string[] = []) {
    const s = await startRedisServer(undefined, undefined, args);
    servers.push(s);
    return s;
  }
  function store(url: string) {
    const s = new RedisSessionStore({ url, namespace: uniqueNamespace(), commandTimeoutMs: 500 });
    cleanup.push(() => s.close());
    return s;
  }

  it('ready() reports version and eviction policy, and warns about anything but noeviction', async () => {
    const lru = await server(['--maxmemory-policy', 'allkeys-lru']);
    const info = await store(`redis://127.0.0.1:${lru.port}`).ready();
    expect(info.mode).toBe('standalone');
    expect(info.redisVersions[0]).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.maxmemoryPolicies).toStrictEqual(['allkeys-lru']);
    expect(info.warnings.join(' ')).toContain('allkeys-lru');
    const safe = await server(['--maxmemory-policy', 'noeviction']);
    const ok = await store(`redis://127.0.0.1:${safe.port}`).ready();
    expect(ok.maxmemoryPolicies).toStrictEqual(['noeviction']);
    expect(ok.warnings).toStrictEqual([]);
    expect(ok.masters).toHaveLength(1);
    expect(ok.masters[0]).toMatchObject({
      address: `127.0.0.1:${safe.port}`,
      maxmemoryPolicy: 'noeviction',
      clusterState: null,
    });
    expect(ok.masters[0]?.redisVersion).toBe(ok.redisVersions[0]);
    expect(ok.masters[0]?.latencyMs).toBeGreaterThan(0);
  });

  it('ready() warns when a cluster-mode server is opened as a standalone one', async () => {
    const node = await server(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']);
    const info = await store(`redis://127.0.0.1:${node.port}`).ready();
    expect(info.mode).toBe('standalone');
    expect(info.warnings.join(' ')).toContain('runs in cluster mode');
    expect(info.warnings.join(' ')).toContain('redis+cluster://');
  });

  it('nothing listening: ready() fails as unavailable with reason unreachable', async () => {
    const err = await rejection(store('redis://127.0.0.1:1').ready());
    expect(err).toMatchObject({ code: 'unavailable', reason: 'unreachable' });
  });

  it.skipIf(REDIS_CLUSTER_URL === '')('ready() on a cluster reads every master', async () => {
    const s = openSessionStore(REDIS_CLUSTER_URL, { namespace: uniqueNamespace() });
    cleanup.push(() => s.close());
    const info = await s.ready();
    expect(info.mode).toBe('cluster');
    expect(info.redisVersions).toHaveLength(3);
    expect(info.masters.map((m) => m.clusterState)).toStrictEqual(['ok', 'ok', 'ok']);
    // Three distinct masters, each with its own address.
    const addresses = info.masters.map((m) => m.address);
    expect(new Set(addresses).size).toBe(3);
    for (const address of addresses) expect(address).toMatch(/^[^@]+:\d+$/);
  });

  it('a database the server does not have fails loudly, and nothing is written to another', async () => {
    const s = await server(['--databases', '4']);
    const url = `redis://127.0.0.1:${s.port}`;
    const missing = store(`${url}/9`);
    const session = sampleSession();
    const err = await rejection(missing.put(session));
    expect(err.code).toBe('unavailable');
    expect(err.reason).toBe('database');
    expect(err.message).toMatch(/database/);
    expect((await rejection(missing.ready())).message).toMatch(/database/);
    expect((await rejection(missing.get(session.key))).code).toBe('unavailable');
    const raw = new Redis(url);
    cleanup.push(() => raw.quit());
    for (let db = 0; db < 4; db++) {
      await raw.select(db);
      expect(await raw.dbsize()).toBe(0);
    }
    // A database that exists is used, and only it.
    const three = store(`${url}/3`);
    await three.put(session);
    await raw.select(3);
    expect(await raw.dbsize()).toBe(1);
    await raw.select(0);
    expect(await raw.dbsize()).toBe(0);
  });

  it('a full server with noeviction refuses a write as unavailable naming maxmemory, and writes nothing', async () => {
    const s = await server(['--maxmemory', '2mb', '--maxmemory-policy', 'noeviction']);
    const st = store(`redis://127.0.0.1:${s.port}`);
    const filler = 'x'.repeat(20_000);
    let err: SessionError | undefined;
    let key = '';
    for (let i = 0; i < 1000 && err === undefined; i++) {
      key = `fill-${i}`;
      err = await st
        .put(
          createSession({
            key,
            tenantId: 'acme',
            flowId: 'f',
            nodeId: 'n',
            ttlSecs: 0,
            labels: { filler },
          }),
        )
        .then(
          () => undefined,
          (e: SessionError) => e,
        );
    }
    expect(err?.code).toBe('unavailable');
    expect(err?.reason).toBe('out_of_memory');
    expect(err?.message).toContain('maxmemory');
    expect(await st.get(key)).toBeNull();
    // Reads still work on a full server.
    expect((await st.get('fill-0'))?.cas).toBe(1);
  });

  it('a wrong password fails ready() as unavailable saying so, and no error carries a password', async () => {
    const s = await server();
    // Set after start: the start helper pings without a password.
    const admin = new Redis(`redis://127.0.0.1:${s.port}`);
    await admin.config('SET', 'requirepass', 'Right-S3cret');
    admin.disconnect();
    const wrong = store(`redis://:Wrong-S3cret@127.0.0.1:${s.port}`);
    const err = await rejection(wrong.ready());
    expect(err.code).toBe('unavailable');
    expect(err.reason).toBe('auth');
    expect(err.message).toMatch(/WRONGPASS|invalid password|NOAUTH/);
    expect(dump(err)).not.toContain('S3cret');
    const opErr = await rejection(wrong.put(sampleSession()));
    expect(dump(opErr)).not.toContain('S3cret');
    // With the right one everything works, and errors after an outage carry no password either.
    const right = store(`redis://default:Right-S3cret@127.0.0.1:${s.port}`);
    const session = sampleSession();
    expect(await right.put(session)).toBe(1);
    await stopRedisServer(s, 'SIGKILL', false);
    const down = await rejection(right.get(session.key));
    expect(['unavailable', 'timeout']).toContain(down.code);
    expect(dump(down)).not.toContain('S3cret');
  });
});
