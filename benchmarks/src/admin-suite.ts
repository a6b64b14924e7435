/**
 * The `admin` part: throughput of the operator calls (list, count, purge one
 * tenant's sessions) on Redis standalone and a 3-master cluster, against a
 * hand-written ioredis baseline over the same keys in the same run (SCAN of
 * every master with the same COUNT, then a pipelined GET, or DEL, of each
 * batch, as a connect-redis `all()`/`clear()` does), and the cost on memory
 * writes of the tenant index the memory store keeps.
 *
 * Sessions are seeded with raw pipelined SETs of values encoded by the
 * store's codec, so seeding 100k (or `BENCH_ADMIN_SESSIONS`) takes seconds.
 *
 * @packageDocumentation
 */
import { InMemorySessionStore } from '@greentic/session-memory';
import { encodeTail, RedisSessionStore } from '@greentic/session-redis';
import type { SessionSnapshot } from '@greentic/session-types';
import { Cluster, Redis } from 'ioredis';
import { do_not_optimize } from 'mitata';
import { BENCH_TENANT, benchKey, buildSession } from './fixtures.js';
import type { BenchSpec, Measurement, Printer } from './harness.js';
import { runGroups } from './harness.js';
import type { RedisTarget } from './redis/client.js';
import {
  formatOps,
  formatRatio,
  type RatioRow,
  ratioOf,
  type SectionResult,
  type Table,
} from './report.js';
import type { BenchSettings } from './settings.js';

const NAMESPACE = 'bench:admin';
/** The same COUNT the store uses per SCAN call. */
const SCAN_COUNT = 1000;

/** Sessions of the Redis sections: `BENCH_ADMIN_SESSIONS`, default 100,000 (2,000 in a smoke run). */
export function adminSessions(settings: BenchSettings, env = process.env): number {
  const given = Number(env.BENCH_ADMIN_SESSIONS);
  if (Number.isSafeInteger(given) && given > 0) return given;
  return settings.smoke ? 2_000 : 100_000;
}

/** Timed repetitions of each Redis measurement (`BENCH_ADMIN_ROUNDS`, default 3; purges 2, each reseeds); the median counts. */
function roundsOf(settings: BenchSettings, env = process.env): number {
  const given = Number(env.BENCH_ADMIN_ROUNDS);
  if (Number.isSafeInteger(given) && given > 0) return given;
  return settings.smoke ? 1 : 3;
}

type Client = Redis | Cluster;

function masters(client: Client): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

function openRaw(target: RedisTarget): Client {
  const client =
    target.kind === 'cluster'
      ? new Cluster(
          target.ports.map((port) => ({ host: '127.0.0.1', port })),
          // Seeding sends one SET per key through the cluster client: batch them per node.
          { enableAutoPipelining: true },
        )
      : new Redis({ host: '127.0.0.1', port: Number(new URL(target.url).port) });
  client.on('error', () => undefined);
  return client;
}

function openStore(target: RedisTarget): RedisSessionStore {
  const url =
    target.kind === 'cluster'
      ? `redis+cluster://${target.ports.map((p) => `127.0.0.1:${p}`).join(',')}`
      : target.url;
  return new RedisSessionStore({ url, namespace: NAMESPACE, commandTimeoutMs: 30_000 });
}

/** Writes `n` sessions of the bench tenant with raw SETs, pipelined per master. */
async function seed(client: Client, template: SessionSnapshot, n: number): Promise<void> {
  const now = Date.now();
  const batch = 5_000;
  for (let from = 0; from < n; from += batch) {
    const writes: Promise<unknown>[] = [];
    const p = client instanceof Cluster ? undefined : client.pipeline();
    for (let i = from; i < Math.min(n, from + batch); i++) {
      const key = benchKey(i);
      const session = {
        ...template,
        key,
        meta: { ...template.meta, userId: `telegram-user-${100_000 + i}` },
      };
      const value = `g1:1:${encodeTail(session, now)}`;
      const redisKey = `${NAMESPACE}:{${key}}`;
      // The cluster client routes each SET; its auto-pipelining batches them per node.
      if (p === undefined) writes.push(client.set(redisKey, value, 'EX', 3600));
      else p.set(redisKey, value, 'EX', 3600);
    }
    if (p !== undefined) await p.exec();
    await Promise.all(writes);
  }
}

/** The baseline: SCAN every master with the same pattern and COUNT, then GET (or DEL) each batch in one pipeline. */
async function rawScan(client: Client, op: 'get' | 'del'): Promise<number> {
  const pattern = `${NAMESPACE}:{*}`;
  const counts = await Promise.all(
    masters(client).map(async (node) => {
      let cursor = '0';
      let n = 0;
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        cursor = next;
        if (keys.length === 0) continue;
        const p = node.pipeline();
        for (const k of keys) op === 'get' ? p.get(k) : p.del(k);
        const replies = (await p.exec()) ?? [];
        n += replies.length;
      } while (cursor !== '0');
      return n;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

async function listAll(store: RedisSessionStore): Promise<number> {
  let cursor: string | null = null;
  let n = 0;
  do {
    const page = await store.listSessions({ tenantId: BENCH_TENANT, cursor, limit: 1000 });
    n += page.sessions.length;
    cursor = page.cursor;
  } while (cursor !== null);
  return n;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function measurement(
  section: string,
  name: string,
  impl: string,
  op: string,
  sessions: number,
  roundsMs: number[],
): Measurement {
  const ms = median(roundsMs);
  const avgNs = (ms * 1e6) / sessions;
  return {
    section,
    group: op,
    name,
    impl,
    op,
    concurrency: 1,
    avgNs,
    p50Ns: avgNs,
    p99Ns: avgNs,
    minNs: (Math.min(...roundsMs) * 1e6) / sessions,
    maxNs: (Math.max(...roundsMs) * 1e6) / sessions,
    opsPerSec: (sessions * 1000) / ms,
    samples: roundsMs.length,
    perOpSamples: false,
    roundsAvgNs: roundsMs.map((r) => (r * 1e6) / sessions),
    wallMs: roundsMs.reduce((a, b) => a + b, 0),
  };
}

async function timeMs(
  body: () => Promise<number>,
  expected: number,
  what: string,
): Promise<number> {
  const t0 = performance.now();
  const n = await body();
  const ms = performance.now() - t0;
  if (n !== expected) throw new Error(`${what}: expected ${expected} sessions, got ${n}`);
  return ms;
}

/**
 * Runs the Redis section of the admin part against one target: list, count
 * and purge of `sessions` sessions, ours against the raw baseline, interleaved
 * round by round.
 */
export async function runAdminRedis(
  target: RedisTarget,
  settings: BenchSettings,
  print: Printer,
): Promise<SectionResult> {
  const section = `admin redis ${target.kind}`;
  const n = adminSessions(settings);
  const rounds = roundsOf(settings);
  const raw = openRaw(target);
  const store = openStore(target);
  const template = buildSession(0, 3);
  const times: Record<string, number[]> = {};
  const add = (name: string, ms: number) => {
    times[name] ??= [];
    times[name].push(ms);
    print(`  ${name}: ${(ms / 1000).toFixed(2)} s (${formatOps((n * 1000) / ms)} sessions/s)`);
  };
  try {
    await store.ready();
    print(`\n### ${section}: ${n} sessions, ${rounds} round(s)`);
    const t0 = performance.now();
    await seed(raw, template, n);
    print(`  seeded ${n} sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (let r = 0; r < rounds; r++) {
      add('ours listSessions', await timeMs(() => listAll(store), n, 'list'));
      add('raw SCAN+GET', await timeMs(() => rawScan(raw, 'get'), n, 'raw scan'));
      add(
        'ours countSessions',
        await timeMs(() => store.countSessions({ tenantId: BENCH_TENANT }), n, 'count'),
      );
    }
    for (let r = 0; r < Math.max(1, rounds - 1); r++) {
      add(
        'ours purgeSessions',
        await timeMs(
          async () => (await store.purgeSessions({ tenantId: BENCH_TENANT })).deleted,
          n,
          'purge',
        ),
      );
      await seed(raw, template, n);
      add('raw SCAN+DEL', await timeMs(() => rawScan(raw, 'del'), n, 'raw del'));
      if (r + 1 < Math.max(1, rounds - 1)) await seed(raw, template, n);
    }
  } finally {
    await store.close();
    raw.disconnect();
  }
  const measured = Object.entries(times).map(([name, ms]) => {
    const [impl, op] = name.startsWith('ours ')
      ? ['ours', name.slice(5)]
      : ['raw ioredis', name.slice(4)];
    return measurement(section, name, impl, op as string, n, ms);
  });
  const setting = `${n} sessions · ${target.kind}`;
  const ratios = [
    ratioOf(measured, section, setting, 'list', 'ours listSessions', 'raw SCAN+GET'),
    ratioOf(measured, section, setting, 'count', 'ours countSessions', 'raw SCAN+GET'),
    ratioOf(measured, section, setting, 'purge', 'ours purgeSessions', 'raw SCAN+DEL'),
  ].filter((r): r is RatioRow => r !== undefined);
  const table: Table = {
    title: `Sessions per second (${n} sessions of one tenant; median of ${rounds} rounds, purge ${Math.max(1, rounds - 1)})`,
    header: ['op', 'ours', 'baseline', 'ratio'],
    rows: ratios.map((r) => [
      r.op,
      `${formatOps(r.oursOpsPerSec)}/s`,
      `${formatOps(r.baselineOpsPerSec)}/s`,
      formatRatio(r.ratio),
    ]),
  };
  return {
    name: section,
    measurements: measured,
    ratios,
    targets: [],
    tables: [table],
    notes: [
      `Baseline: SCAN of every master (MATCH ${NAMESPACE}:{*}, COUNT ${SCAN_COUNT}) with a pipelined GET (list, count) or DEL (purge) of each batch, through ioredis. Ours lists with GETRANGE 0..4095 of each key (owner from the header, user and team from meta), counts a whole tenant from the 256-byte header, and purges a whole tenant by sending the fenced delete script (which checks the owner) for every scanned key.`,
      'Sessions are seeded with raw SETs of values encoded by the store codec (typical session, 3 outbox entries); seeding is not timed. Purge rounds reseed between runs.',
    ],
  };
}

/**
 * The memory section: what the tenant index adds to a write that creates a
 * key (the only write that touches the index, with the delete that removes it).
 */
export async function runAdminMemory(
  settings: BenchSettings,
  print: Printer,
): Promise<SectionResult> {
  const section = 'admin memory';
  const n = settings.smoke ? 200 : 10_000;
  // The tenant already holds n sessions (so its key set exists, as in
  // production); each operation creates and deletes one more of n others.
  const resident = Array.from({ length: n }, (_, i) => buildSession(i, 3));
  const sessions = Array.from({ length: n }, (_, i) => buildSession(n + i, 3));
  const keys = sessions.map((s) => s.key);
  let next = 0;
  const store = new InMemorySessionStore();
  for (const s of resident) await store.put(s);
  const map = new Map<string, unknown>(resident.map((s) => [s.key, s]));
  const index = new Map<string, Set<string>>([[BENCH_TENANT, new Set(resident.map((s) => s.key))]]);
  const specs: BenchSpec[] = [
    {
      name: 'Map.set(structuredClone)+delete',
      impl: 'Map',
      op: 'create+delete',
      baseline: true,
      fn: () => {
        const i = next++ % n;
        map.set(keys[i] as string, structuredClone(sessions[i]));
        map.delete(keys[i] as string);
      },
    },
    {
      name: 'ours put(new key)+delete',
      impl: 'ours',
      op: 'create+delete',
      fn: async () => {
        const i = next++ % n;
        await store.put(sessions[i] as SessionSnapshot);
        do_not_optimize(await store.delete(keys[i] as string));
      },
    },
    {
      name: 'tenant index add+remove alone',
      impl: 'index',
      op: 'create+delete',
      fn: () => {
        const i = next++ % n;
        let set = index.get(BENCH_TENANT);
        if (set === undefined) {
          set = new Set();
          index.set(BENCH_TENANT, set);
        }
        set.add(keys[i] as string);
        set.delete(keys[i] as string);
        if (set.size === 0) index.delete(BENCH_TENANT);
      },
    },
  ];
  const measured = await runGroups(
    section,
    [{ title: 'create + delete one session (typical, 3 outbox entries)', specs }],
    settings,
    print,
  );
  await store.close();
  const setting = 'typical · c1';
  const ratios = [
    ratioOf(
      measured,
      section,
      setting,
      'create+delete',
      'ours put(new key)+delete',
      'Map.set(structuredClone)+delete',
    ),
  ].filter((r): r is RatioRow => r !== undefined);
  const ours = measured.find((m) => m.name === 'ours put(new key)+delete');
  const idx = measured.find((m) => m.name === 'tenant index add+remove alone');
  const share =
    ours === undefined || idx === undefined
      ? 'not measured'
      : `${((idx.avgNs / ours.avgNs) * 100).toFixed(1)}%`;
  return {
    name: section,
    measurements: measured,
    ratios,
    targets: [],
    tables: [
      {
        title: `Cost of the tenant index on a write that creates a key (tenant of ${n} sessions)`,
        header: ['measure', 'value'],
        rows: [
          ['index add+remove, ns', idx === undefined ? '-' : idx.avgNs.toFixed(0)],
          ['put(new key)+delete, ns', ours === undefined ? '-' : ours.avgNs.toFixed(0)],
          ['index share of create+delete', share],
        ],
      },
    ],
    notes: [
      'Only a write that creates a key, and the delete, expiry or purge that removes it, touch the index (Set add/delete under the tenant); updates, touches and reads do not. "tenant index add+remove alone" is the same Map<tenant, Set<key>> work the store does, measured alone.',
    ],
  };
}
