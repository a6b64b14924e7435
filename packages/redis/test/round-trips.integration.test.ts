import {
  type RedisServerHandle,
  startRedisServer,
  stopRedisServer,
} from '@greentic/redis-test-server';
import { sampleSession } from '@greentic/session-test-suite';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_SERVER_AVAILABLE, uniqueNamespace } from './helpers.js';

// Commands the scripts run inside Redis. INFO commandstats counts them too
// (as calls of their own), so a script's round trip is the EVALSHA alone.
const INSIDE_SCRIPTS = new Set(['get', 'getrange', 'exists', 'set', 'del']);

type Counts = Record<string, number>;

async function commandStats(raw: Redis): Promise<Counts> {
  const info = await raw.info('commandstats');
  const counts: Counts = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    counts[m[1] as string] = Number(m[2]);
  }
  return counts;
}

function delta(before: Counts, after: Counts): Counts {
  const out: Counts = {};
  for (const [name, calls] of Object.entries(after)) {
    const d = calls - (before[name] ?? 0);
    if (d > 0) out[name] = d;
  }
  // The INFO call that took `after` is not the store's.
  if (out.info !== undefined && --out.info === 0) delete out.info;
  return out;
}

/** Client round trips in a commandstats delta. */
function roundTrips(d: Counts): Counts {
  return Object.fromEntries(Object.entries(d).filter(([name]) => !INSIDE_SCRIPTS.has(name)));
}

// A private server, so no other test file's commands show up in the counts.
describe.skipIf(!REDIS_SERVER_AVAILABLE)('one round trip per operation (INFO commandstats)', () => {
  let server: RedisServerHandle;
  let raw: Redis;
  let store: RedisSessionStore;
  const measured: Record<string, Counts> = {};

  beforeAll(async () => {
    server = await startRedisServer();
    const url = `redis://127.0.0.1:${server.port}`;
    raw = new Redis(url);
    store = new RedisSessionStore({ url, namespace: uniqueNamespace() });
    // Warm up: load every script once (the first EVALSHA of a script answers
    // NOSCRIPT and ioredis falls back to EVAL) and finish the connection handshake.
    const warm = sampleSession();
    const cas = await store.put(warm);
    await store.updateCas(warm, cas);
    await store.touch(warm.key);
    await store.delete(warm.key);
  });
  afterAll(async () => {
    await store?.close();
    await raw?.quit();
    if (server) await stopRedisServer(server);
    console.info('commands per operation (INFO commandstats deltas):', JSON.stringify(measured));
  });

  async function measure(op: string, run: () => Promise<unknown>): Promise<Counts> {
    const before = await commandStats(raw);
    await run();
    const d = delta(before, await commandStats(raw));
    measured[op] = d;
    return d;
  }

  it('get (unfenced) is one plain GET', async () => {
    const session = sampleSession();
    await store.put(session);
    const d = await measure('get', () => store.get(session.key));
    expect(d).toStrictEqual({ get: 1 });
  });

  it('get (fenced) is one plain GET', async () => {
    const session = sampleSession();
    await store.put(session);
    const d = await measure('get fenced', () =>
      store.get(session.key, { tenantId: session.meta.tenantId }),
    );
    expect(d).toStrictEqual({ get: 1 });
  });

  it('a write script reads only the header (GETRANGE), never the whole value', async () => {
    const session = sampleSession();
    const cas = await store.put(session);
    const d = await measure('updateCas inside', () => store.updateCas(session, cas));
    expect(d).toStrictEqual({ evalsha: 1, getrange: 1, set: 1 });
  });

  it('put is one EVALSHA', async () => {
    const session = sampleSession();
    await store.put(session);
    const d = await measure('put', () => store.put(session));
    expect(roundTrips(d)).toStrictEqual({ evalsha: 1 });
  });

  it('updateCas is one EVALSHA', async () => {
    const session = sampleSession();
    const cas = await store.put(session);
    const d = await measure('updateCas', () => store.updateCas(session, cas));
    expect(roundTrips(d)).toStrictEqual({ evalsha: 1 });
  });

  it('touch is one EVALSHA', async () => {
    const session = sampleSession();
    await store.put(session);
    const d = await measure('touch', () => store.touch(session.key, 60));
    expect(roundTrips(d)).toStrictEqual({ evalsha: 1 });
  });

  it('delete is one EVALSHA', async () => {
    const session = sampleSession();
    await store.put(session);
    const d = await measure('delete', () => store.delete(session.key));
    expect(roundTrips(d)).toStrictEqual({ evalsha: 1 });
  });
});
