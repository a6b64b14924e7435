import { randomUUID } from 'node:crypto';
import {
  type RedisServerHandle,
  startRedisServer,
  stopRedisServer,
} from '@greentic/redis-test-server';
import {
  createSession,
  type SessionScanProgress,
  type SessionSummary,
} from '@greentic/session-core';
import { uniqueKey, uniqueTenant } from '@greentic/session-test-suite';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_BUDGET, escapeGlob } from '../src/admin.js';
import { encodeTail } from '../src/codec.js';
import { LUA_SCRIPTS } from '../src/lua/scripts.generated.js';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { parseRedisUrl } from '../src/url.js';
import {
  REDIS_CLUSTER_URL,
  REDIS_SERVER_AVAILABLE,
  REDIS_URL,
  uniqueNamespace,
} from './helpers.js';

const clientOptions = { maxRetriesPerRequest: 0, enableOfflineQueue: false } as const;

/** The raw value the store writes for a session at cas 1 (see codec.ts). */
function encoded(
  key: string,
  tenantId: string,
  userId: string | null,
  extra: { flowId?: string } = {},
): string {
  const session = createSession({
    key,
    tenantId,
    userId,
    flowId: extra.flowId ?? 'f',
    nodeId: 'n',
    ttlSecs: 3600,
  });
  return `g1:1:${encodeTail(session, Date.now())}`;
}

/** Writes `count` sessions with raw SETs in pipelines: far faster than `put` for big seeds. */
async function seedRaw(
  client: Redis,
  namespace: string,
  tenantId: string,
  count: number,
  userId: string | null = null,
): Promise<string[]> {
  const keys: string[] = [];
  for (let from = 0; from < count; from += 5000) {
    const p = client.pipeline();
    for (let i = from; i < Math.min(count, from + 5000); i++) {
      const key = `k${i}-${randomUUID()}`;
      keys.push(key);
      p.set(`${namespace}:{${key}}`, encoded(key, tenantId, userId), 'PX', 3_600_000);
    }
    await p.exec();
  }
  return keys;
}

/** Every page of a listing: on a shared server a page may stop at its SCAN budget first. */
async function listAll(
  store: RedisSessionStore,
  filter: { tenantId: string; userId?: string },
  limit = 100,
): Promise<SessionSummary[]> {
  const out: SessionSummary[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listSessions({ ...filter, cursor, limit });
    out.push(...page.sessions);
    cursor = page.cursor;
  } while (cursor !== null);
  return out;
}

async function listKeys(
  store: RedisSessionStore,
  tenantId: string,
  limit = 100,
): Promise<string[]> {
  return (await listAll(store, { tenantId }, limit)).map((s) => s.key).sort();
}

describe('escapeGlob', () => {
  it('escapes every glob character, so a pattern matches the text literally', () => {
    expect(escapeGlob('a*b?c[d]e\\f')).toBe('a\\*b\\?c\\[d\\]e\\\\f');
    expect(escapeGlob('plain:ns-1.x')).toBe('plain:ns-1.x');
  });
});

describe.skipIf(REDIS_URL === '')('redis operator calls (standalone)', () => {
  const clients: Redis[] = [];
  const stores: RedisSessionStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    for (const c of clients) c.disconnect();
  });
  const rawClient = () => {
    const c = new Redis(REDIS_URL);
    clients.push(c);
    return c;
  };
  const client = (keyPrefix?: string) => {
    const c = new Redis(REDIS_URL, { ...clientOptions, ...(keyPrefix ? { keyPrefix } : {}) });
    clients.push(c);
    return c;
  };
  const open = (namespace: string, keyPrefix?: string) => {
    const store = new RedisSessionStore({
      client: client(keyPrefix),
      namespace,
      commandTimeoutMs: 5000,
    });
    stores.push(store);
    return store;
  };
  const put = (store: RedisSessionStore, tenantId: string, userId: string | null = null) => {
    const key = uniqueKey();
    return store
      .put(createSession({ key, tenantId, userId, flowId: 'f', nodeId: 'n', ttlSecs: 600 }))
      .then(() => key);
  };

  it('a namespace with glob characters matches literally, never its look-alikes', async () => {
    const tag = randomUUID().slice(0, 8);
    const tenantId = uniqueTenant();
    // Each pair: a namespace with glob characters, and one its unescaped pattern would match.
    const pairs: [string, string][] = [
      [`${tag}a*b`, `${tag}aXXb`],
      [`${tag}x?[y]`, `${tag}xZy`],
      [`${tag}p\\q`, `${tag}pq`],
      [`${tag}[ab]`, `${tag}a`],
    ];
    for (const [globby, lookalike] of pairs) {
      const a = open(globby);
      const b = open(lookalike);
      const mine = [await put(a, tenantId, 'u'), await put(a, tenantId, 'u')];
      const theirs = [await put(b, tenantId, 'u')];
      expect(await a.countSessions({ tenantId }), globby).toBe(2);
      expect(await listKeys(a, tenantId), globby).toStrictEqual([...mine].sort());
      expect(await b.countSessions({ tenantId }), lookalike).toBe(1);
      expect(await a.purgeSessions({ tenantId })).toMatchObject({ matched: 2, deleted: 2 });
      expect((await b.get(theirs[0] as string))?.cas, lookalike).toBe(1);
    }
  });

  it('a keyPrefix client (with glob characters in the prefix) lists and purges its own keys only', async () => {
    const namespace = uniqueNamespace();
    const tenantId = uniqueTenant();
    const prefixed = open(namespace, 'app*:');
    const lookalike = open(namespace, 'appX:');
    const bare = open(namespace);
    const mine = [await put(prefixed, tenantId), await put(prefixed, tenantId)];
    await put(lookalike, tenantId);
    await put(bare, tenantId);
    expect(await listKeys(prefixed, tenantId)).toStrictEqual([...mine].sort());
    expect(await prefixed.purgeSessions({ tenantId })).toMatchObject({ matched: 2, deleted: 2 });
    for (const k of mine) expect(await prefixed.get(k)).toBeNull();
    expect(await lookalike.countSessions({ tenantId })).toBe(1);
    expect(await bare.countSessions({ tenantId })).toBe(1);
  });

  it('values that are not sessions are skipped by list, count and purge, and left alone', async () => {
    const namespace = uniqueNamespace();
    const tenantId = uniqueTenant();
    const store = open(namespace);
    const raw = rawClient();
    const good = await put(store, tenantId);
    await raw.set(`${namespace}:{junk}`, 'not a session');
    await raw.set(`${namespace}:{forged}`, `g1:1:0:0:${tenantId}:nope:{}`);
    await raw.hset(`${namespace}:{hash}`, 'f', 'v');
    await raw.set(`${namespace}:nobrace`, encoded('nobrace', tenantId, null));
    expect(await store.countSessions({ tenantId })).toBe(1);
    expect(await listKeys(store, tenantId)).toStrictEqual([good]);
    expect(await store.purgeSessions({ tenantId })).toMatchObject({ matched: 1, deleted: 1 });
    expect(
      await raw.exists(`${namespace}:{junk}`, `${namespace}:{forged}`, `${namespace}:{hash}`),
    ).toBe(3);
  });

  it('a session whose ids lie beyond the first 4 KiB is read whole and filtered right', async () => {
    const namespace = uniqueNamespace();
    const tenantId = uniqueTenant();
    const store = open(namespace);
    // A flowId of control characters: each is 6 bytes of JSON, so meta starts past 6 KiB.
    const long = uniqueKey();
    await store.put(
      createSession({
        key: long,
        tenantId,
        userId: 'far',
        flowId: '\u0001'.repeat(1024),
        nodeId: 'n',
        ttlSecs: 600,
      }),
    );
    const near = await put(store, tenantId, 'near');
    expect(await store.countSessions({ tenantId, userId: 'far' })).toBe(1);
    expect(await store.countSessions({ tenantId, userId: 'near' })).toBe(1);
    const listed = await listAll(store, { tenantId, userId: 'far' });
    expect(listed.map((s) => [s.key, s.userId])).toStrictEqual([[long, 'far']]);
    expect(await store.purgeSessions({ tenantId, userId: 'far' })).toMatchObject({ deleted: 1 });
    expect(await store.get(near)).not.toBeNull();
  });

  it("the delete script a purge uses leaves another incarnation (or another tenant's session) whole", async () => {
    const namespace = uniqueNamespace();
    const tenantId = uniqueTenant();
    const store = open(namespace);
    const raw = rawClient();
    const key = await put(store, tenantId, 'y');
    const [seen] = await listAll(store, { tenantId });
    expect(seen?.key).toBe(key);
    // Deleted and re-created between the scan and the delete: a new incarnation.
    await store.delete(key);
    await store.put(
      createSession({ key, tenantId, userId: 'y', flowId: 'f', nodeId: 'n', ttlSecs: 600 }),
    );
    raw.defineCommand(LUA_SCRIPTS.delete.command, {
      lua: LUA_SCRIPTS.delete.lua,
      numberOfKeys: 1,
    });
    const del = (raw as unknown as Record<string, (...a: string[]) => Promise<number>>)[
      LUA_SCRIPTS.delete.command
    ] as (...a: string[]) => Promise<number>;
    const redisKey = `${namespace}:{${key}}`;
    expect(await del.call(raw, redisKey, tenantId, seen?.id as string)).toBe(0);
    expect(await del.call(raw, redisKey, uniqueTenant(), '')).toBe(0);
    expect(await store.get(key)).not.toBeNull();
    const current = (await store.get(key))?.session.id as string;
    expect(await del.call(raw, redisKey, tenantId, current)).toBe(1);
    expect(await store.get(key)).toBeNull();
  });
});

describe.skipIf(!REDIS_SERVER_AVAILABLE)('redis operator calls at scale (a private server)', () => {
  let server: RedisServerHandle;
  let raw: Redis;
  const stores: RedisSessionStore[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis({ port: server.port, host: '127.0.0.1' });
  }, 30_000);
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await raw?.quit();
    if (server !== undefined) await stopRedisServer(server);
  });
  const open = (namespace: string) => {
    const store = new RedisSessionStore({
      url: `redis://127.0.0.1:${server.port}/0`,
      namespace,
      commandTimeoutMs: 10_000,
    });
    stores.push(store);
    return store;
  };

  it('long keys, too many to carry in a cursor, are still listed exactly once with small pages', async () => {
    const namespace = uniqueNamespace();
    const tenantId = uniqueTenant();
    // First on the private server: with only these keys, a SCAN batch holds
    // several of them, so small pages must resume inside a batch (other keys,
    // as on the shared server, could spread them one per batch).
    const store = open(namespace);
    const keys: string[] = [];
    for (let i = 0; i < 40; i++) {
      const key = `${uniqueKey()}-${'x'.repeat(400)}`;
      keys.push(key);
      await store.put(
        createSession({ key, tenantId, userId: 'u', flowId: 'f', nodeId: 'n', ttlSecs: 600 }),
      );
    }
    let resumedInsideBatch = 0;
    for (const limit of [1, 3]) {
      const listed: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.listSessions({ tenantId, cursor, limit });
        expect(page.sessions.length).toBeLessThanOrEqual(limit);
        listed.push(...page.sessions.map((s) => s.key));
        cursor = page.cursor;
        // White box: the cursor's third part is the last key taken inside a batch re-read later.
        const parts =
          cursor === null
            ? []
            : JSON.parse(Buffer.from(cursor.split('.')[0] as string, 'base64url').toString());
        if (parts[2] !== '' && parts[2] !== undefined) resumedInsideBatch++;
      } while (cursor !== null);
      expect(listed.sort()).toStrictEqual([...keys].sort());
    }
    // The keys are too long for the cursor to carry: pages resumed inside a batch.
    expect(resumedInsideBatch).toBeGreaterThan(0);
  });

  it('a page never does more than its budget of SCAN steps: a sparse tenant gets empty pages with a cursor', async () => {
    const namespace = uniqueNamespace();
    const tenantId = uniqueTenant();
    const { scanCount, maxScansPerPage } = DEFAULT_ADMIN_BUDGET;
    // Three pages' worth of other tenants' keys, and one session of ours.
    await seedRaw(raw, namespace, uniqueTenant('noise'), scanCount * maxScansPerPage * 3);
    const [mine] = await seedRaw(raw, namespace, tenantId, 1);
    await raw.config('RESETSTAT');
    const first = await store(namespace).listSessions({ tenantId, limit: 10 });
    const stats = await raw.info('commandstats');
    const scans = Number(/cmdstat_scan:calls=(\d+)/.exec(stats)?.[1] ?? 'NaN');
    expect(scans).toBeLessThanOrEqual(maxScansPerPage);
    expect(first.cursor).not.toBeNull();
    let cursor = first.cursor;
    const found = [...first.sessions.map((s) => s.key)];
    let pages = 1;
    while (cursor !== null) {
      const page = await store(namespace).listSessions({ tenantId, limit: 10, cursor });
      found.push(...page.sessions.map((s) => s.key));
      cursor = page.cursor;
      pages++;
    }
    expect(found).toStrictEqual([mine]);
    expect(pages).toBeGreaterThanOrEqual(3);
  }, 240_000);

  it('purges 100,000 sessions of one user in bounded batches with progress, leaving the rest', async () => {
    const namespace = uniqueNamespace();
    const tenantId = uniqueTenant();
    const other = uniqueTenant('other');
    await seedRaw(raw, namespace, tenantId, 100_000, 'y');
    const keepUser = await seedRaw(raw, namespace, tenantId, 200, 'z');
    const keepTenant = await seedRaw(raw, namespace, other, 200, 'y');
    const s = open(namespace);
    const progress: SessionScanProgress[] = [];
    const result = await s.purgeSessions({
      tenantId,
      userId: 'y',
      onProgress: (p) => progress.push(p),
    });
    expect(result).toStrictEqual({ scanned: 100_400, matched: 100_000, deleted: 100_000 });
    // Many batches, each a bounded step (SCAN COUNT is a hint: allow some slack).
    expect(progress.length).toBeGreaterThan(50);
    let previous = { scanned: 0, matched: 0, deleted: 0 };
    for (const p of progress) {
      expect(p.scanned - previous.scanned).toBeLessThanOrEqual(DEFAULT_ADMIN_BUDGET.scanCount * 2);
      expect(p.scanned).toBeGreaterThanOrEqual(previous.scanned);
      expect(p.deleted).toBeGreaterThanOrEqual(previous.deleted);
      previous = p;
    }
    expect(progress.at(-1)).toStrictEqual(result);
    expect(await s.countSessions({ tenantId })).toBe(200);
    expect(await s.countSessions({ tenantId: other })).toBe(200);
    for (const k of [...keepUser.slice(0, 20), ...keepTenant.slice(0, 20)]) {
      expect(await s.get(k)).not.toBeNull();
    }
    expect(await raw.dbsize()).toBeGreaterThanOrEqual(400);
    // Generous: about 15 s on an idle 2-core machine, far more when it is shared.
  }, 300_000);

  it('an abort from onProgress stops the purge between batches, rejecting with the reason', async () => {
    const namespace = uniqueNamespace();
    const tenantId = uniqueTenant();
    await seedRaw(raw, namespace, tenantId, 5000);
    const s = open(namespace);
    const controller = new AbortController();
    const reason = new Error('operator cancelled');
    let reported = 0;
    await expect(
      s.purgeSessions({
        tenantId,
        signal: controller.signal,
        onProgress: (p) => {
          reported = p.deleted;
          controller.abort(reason);
        },
      }),
    ).rejects.toBe(reason);
    expect(reported).toBeGreaterThan(0);
    expect(await s.countSessions({ tenantId })).toBe(5000 - reported);
  }, 60_000);

  function store(namespace: string): RedisSessionStore {
    return open(namespace);
  }
});

describe.skipIf(REDIS_CLUSTER_URL === '')('redis operator calls (3-master cluster)', () => {
  let nodes: { host: string; port: number }[] = [];
  const clients: Cluster[] = [];
  const stores: RedisSessionStore[] = [];
  beforeAll(() => {
    nodes = [...parseRedisUrl(REDIS_CLUSTER_URL).nodes];
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('lists, counts and purges keys held by every master', async () => {
    const namespace = uniqueNamespace();
    const tenantId = uniqueTenant();
    const other = uniqueTenant('other');
    const client = new Cluster(nodes, {
      keyPrefix: 'app:',
      enableOfflineQueue: false,
      retryDelayOnFailover: 0,
      redisOptions: clientOptions,
    });
    clients.push(client);
    const store = new RedisSessionStore({ client, namespace });
    stores.push(store);
    expect(await store.countSessions({ tenantId })).toBe(0);
    const keys: string[] = [];
    for (let i = 0; i < 300; i++) {
      const key = uniqueKey();
      keys.push(key);
      await store.put(
        createSession({
          key,
          tenantId,
          userId: i % 2 ? 'odd' : 'even',
          flowId: 'f',
          nodeId: 'n',
          ttlSecs: 600,
        }),
      );
    }
    for (let i = 0; i < 30; i++) {
      await store.put(
        createSession({
          key: uniqueKey(),
          tenantId: other,
          flowId: 'f',
          nodeId: 'n',
          ttlSecs: 600,
        }),
      );
    }
    // Every master holds some of the tenant's keys.
    const pattern = `app:${escapeGlob(namespace)}:{*}`;
    const perMaster = await Promise.all(
      client.nodes('master').map(async (node) => {
        let cursor = '0';
        let n = 0;
        do {
          const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          n += found.length;
        } while (cursor !== '0');
        return n;
      }),
    );
    expect(perMaster).toHaveLength(3);
    for (const n of perMaster) expect(n).toBeGreaterThan(0);
    expect(perMaster.reduce((a, b) => a + b, 0)).toBe(330);

    expect(await store.countSessions({ tenantId })).toBe(300);
    expect(await store.countSessions({ tenantId, userId: 'odd' })).toBe(150);
    expect(await listKeys(store, tenantId, 7)).toStrictEqual([...keys].sort());
    const progress: SessionScanProgress[] = [];
    expect(
      await store.purgeSessions({ tenantId, userId: 'odd', onProgress: (p) => progress.push(p) }),
    ).toStrictEqual({ scanned: 330, matched: 150, deleted: 150 });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(await store.countSessions({ tenantId })).toBe(150);
    expect(await store.purgeSessions({ tenantId })).toMatchObject({ matched: 150, deleted: 150 });
    expect(await store.countSessions({ tenantId })).toBe(0);
    expect(await store.countSessions({ tenantId: other })).toBe(30);
  }, 60_000);
});
