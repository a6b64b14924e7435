/**
 * Redis backend against raw ioredis on the same server and payload (GET,
 * SET EX, and a cjson compare-and-set script: the floor for an atomic CAS
 * write) and against peers (connect-redis 8.1, @grammyjs/storage-redis,
 * @keyv/redis), at concurrency 1 (latency) and 64 (throughput), with ioredis
 * auto-pipelining off and on. Also: commands per operation (INFO
 * commandstats), memory per session (MEMORY USAGE), and a 3-master cluster.
 *
 * @packageDocumentation
 */
import { mutate } from '@greentic/session-core';
import { dataKey, lookupKey, RedisSessionStore } from '@greentic/session-redis';
import type { Session } from '@greentic/session-types';
import { createKeyv } from '@keyv/redis';
import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { Cluster, Redis } from 'ioredis';
import type { Keyv } from 'keyv';
import { do_not_optimize } from 'mitata';
import { BENCH_TENANT, buildCase, roundRobin, type SessionCase } from './fixtures.js';
import type { BenchGroup, BenchSpec, Measurement, Printer } from './harness.js';
import { runGroups } from './harness.js';
import {
  formatRatio,
  type RatioRow,
  ratioOf,
  type SectionResult,
  type Table,
  type TargetRow,
} from './report.js';
import type { BenchSettings } from './settings.js';

/** A server (or cluster) to benchmark against. */
export interface RedisTarget {
  readonly kind: 'standalone' | 'cluster';
  readonly url: string;
  readonly ports: readonly number[];
}

type Client = Redis | Cluster;

const TTL_SECS = 3600;
const NEXT_NODE = 'ask-phone-number';

/** The raw floor of an atomic CAS write: decode, compare, SET with expiry. */
const RAW_CAS_LUA = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
local doc = cjson.decode(current)
if doc.cas ~= tonumber(ARGV[1]) then return -2 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return doc.cas + 1
`;

type RawCas = (key: string, expected: number, envelope: string, ttl: number) => Promise<number>;

/** Keeps connection errors out of the report: a failed command rejects and fails the run anyway. */
function quiet<T extends Client>(client: T): T {
  client.on('error', () => undefined);
  return client;
}

function openClient(target: RedisTarget, pipelining: boolean): Client {
  const url = new URL(target.url);
  if (target.kind === 'cluster') {
    return quiet(
      new Cluster(
        target.ports.map((port) => ({ host: '127.0.0.1', port })),
        { enableAutoPipelining: pipelining },
      ),
    );
  }
  return quiet(
    new Redis({
      host: url.hostname,
      port: Number(url.port),
      enableAutoPipelining: pipelining,
    }),
  );
}

function rawCas(client: Client): RawCas {
  client.defineCommand('benchRawCas', { numberOfKeys: 1, lua: RAW_CAS_LUA });
  const command = (client as unknown as Record<string, (...a: unknown[]) => Promise<number>>)
    .benchRawCas as (...a: unknown[]) => Promise<number>;
  return (key, expected, envelope, ttl) =>
    command.call(client, key, String(expected), envelope, String(ttl));
}

async function seedStrings(client: Client, entries: [string, string][]): Promise<void> {
  for (let i = 0; i < entries.length; i += 500) {
    await Promise.all(entries.slice(i, i + 500).map(([k, v]) => client.set(k, v, 'EX', TTL_SECS)));
  }
}

async function seedOurs(store: RedisSessionStore, c: SessionCase): Promise<void> {
  for (let i = 0; i < c.sessions.length; i += 500) {
    await Promise.all(c.sessions.slice(i, i + 500).map((s) => store.put(s)));
  }
}

/** One implementation's operation, before it is given a concurrency. */
interface OpTemplate {
  readonly impl: string;
  readonly op: string;
  readonly fn: (arg: never) => unknown;
  readonly setup?: () => unknown;
  readonly maxSamples?: number;
}

interface Prepared {
  readonly templates: OpTemplate[];
  readonly close: () => Promise<void>;
}

/** Everything measured on one client: baselines, peers, ours. */
async function prepare(
  target: RedisTarget,
  client: Client,
  c: SessionCase,
  tag: string,
  peers: boolean,
  keyv: Keyv | null,
): Promise<Prepared> {
  const n = c.sessions.length;
  const keys = c.sessions.map((s) => s.key);
  const templates: OpTemplate[] = [];
  const ns = `bench:${tag}`;

  // Raw ioredis. Keys carry the session key as a hash tag like ours do.
  const rawKey = keys.map((k) => `${ns}:raw:{${k}}`);
  const casKey = keys.map((k) => `${ns}:rawcas:{${k}}`);
  await seedStrings(
    client,
    rawKey.map((k, i) => [k, c.json[i] as string]),
  );
  await seedStrings(
    client,
    casKey.map((k, i) => [k, JSON.stringify({ cas: 1, session: c.plain[i] })]),
  );
  const cas = rawCas(client);
  {
    const next = roundRobin(n);
    templates.push({
      impl: 'raw',
      op: 'GET',
      fn: async () => do_not_optimize(await client.get(rawKey[next()] as string)),
    });
  }
  {
    const next = roundRobin(n);
    templates.push({
      impl: 'raw',
      op: 'SET EX',
      fn: async () => {
        const i = next();
        await client.set(rawKey[i] as string, JSON.stringify(c.plain[i]), 'EX', TTL_SECS);
      },
    });
  }
  {
    const next = roundRobin(n);
    const current = keys.map(() => 1);
    templates.push({
      impl: 'raw',
      op: 'CAS script',
      fn: async () => {
        const i = next();
        const expected = current[i] as number;
        const envelope = JSON.stringify({ cas: expected + 1, session: c.plain[i] });
        const r = await cas(casKey[i] as string, expected, envelope, TTL_SECS);
        if (r !== expected + 1) throw new Error(`raw CAS conflict on key ${i}: ${r}`);
        current[i] = r;
      },
    });
  }

  if (peers) {
    const sessionStore = new RedisStore({ client, prefix: `${ns}:sess:`, ttl: TTL_SECS });
    await seedStrings(
      client,
      keys.map((k, i) => [`${ns}:sess:${k}`, c.json[i] as string]),
    );
    {
      const next = roundRobin(n);
      templates.push({
        impl: 'connect-redis',
        op: 'get',
        fn: async () => do_not_optimize(await sessionStore.get(keys[next()] as string)),
      });
    }
    {
      const next = roundRobin(n);
      templates.push({
        impl: 'connect-redis',
        op: 'set',
        fn: async () => {
          const i = next();
          await sessionStore.set(keys[i] as string, c.plain[i] as unknown as SessionData);
        },
      });
    }
    if (target.kind === 'standalone') {
      const { RedisAdapter } = await import('@grammyjs/storage-redis');
      // Typed against ioredis 5; it only calls get/set/del, which ioredis 6 keeps.
      const adapter = new RedisAdapter<Session>({
        instance: client as unknown as NonNullable<
          ConstructorParameters<typeof RedisAdapter>[0]['instance']
        >,
        ttl: TTL_SECS,
      });
      const gk = keys.map((k) => `${ns}:grammy:${k}`);
      await seedStrings(
        client,
        gk.map((k, i) => [k, c.json[i] as string]),
      );
      {
        const next = roundRobin(n);
        templates.push({
          impl: 'grammY',
          op: 'read',
          fn: async () => do_not_optimize(await adapter.read(gk[next()] as string)),
        });
      }
      {
        const next = roundRobin(n);
        templates.push({
          impl: 'grammY',
          op: 'write',
          fn: async () => {
            const i = next();
            await adapter.write(gk[i] as string, c.plain[i] as Session);
          },
        });
      }
    }
    if (keyv !== null) {
      for (let i = 0; i < n; i += 500) {
        await Promise.all(
          keys.slice(i, i + 500).map((k, j) => keyv.set(k, c.plain[i + j], TTL_SECS * 1000)),
        );
      }
      {
        const next = roundRobin(n);
        templates.push({
          impl: 'keyv',
          op: 'get',
          fn: async () => do_not_optimize(await keyv.get(keys[next()] as string)),
        });
      }
      {
        const next = roundRobin(n);
        templates.push({
          impl: 'keyv',
          op: 'set',
          fn: async () => {
            const i = next();
            await keyv.set(keys[i] as string, c.plain[i], TTL_SECS * 1000);
          },
        });
      }
    }
  }

  // Ours, on the same client.
  const store = new RedisSessionStore({ client, namespace: `${ns}:ours` });
  const stores = [store];
  await seedOurs(store, c);
  {
    const next = roundRobin(n);
    templates.push({
      impl: 'ours',
      op: 'get',
      fn: async () => do_not_optimize(await store.get(keys[next()] as string)),
    });
  }
  {
    const next = roundRobin(n);
    templates.push({
      impl: 'ours',
      op: 'get (fenced)',
      fn: async () =>
        do_not_optimize(await store.get(keys[next()] as string, { tenantId: BENCH_TENANT })),
    });
  }
  {
    const next = roundRobin(n);
    templates.push({
      impl: 'ours',
      op: 'put',
      fn: async () => do_not_optimize(await store.put(c.sessions[next()] as Session)),
    });
  }
  {
    // A namespace of its own: put and mutate on the shared one move every cas.
    const casStore = new RedisSessionStore({ client, namespace: `${ns}:ours-cas` });
    stores.push(casStore);
    await seedOurs(casStore, c);
    const current: number[] = new Array(n).fill(1);
    const next = roundRobin(n);
    templates.push({
      impl: 'ours',
      op: 'updateCas',
      fn: async () => {
        const i = next();
        const r = await casStore.updateCas(c.sessions[i] as Session, current[i] as number);
        if (!r.ok) throw new Error(`updateCas conflict on key ${i}: ${r.reason}`);
        current[i] = r.cas;
      },
    });
  }
  {
    const next = roundRobin(n);
    templates.push({
      impl: 'ours',
      op: 'touch',
      fn: async () => do_not_optimize(await store.touch(keys[next()] as string)),
    });
  }
  {
    const next = roundRobin(n);
    templates.push({
      impl: 'ours',
      op: 'mutate',
      fn: async () =>
        do_not_optimize(
          await mutate(store, keys[next()] as string, (s) => ({
            ...s,
            cursor: { ...s.cursor, nodeId: NEXT_NODE },
          })),
        ),
    });
  }
  // delete gets a namespace of its own, so it never removes what the others read.
  const deletes = new RedisSessionStore({ client, namespace: `${ns}:ours-delete` });
  stores.push(deletes);
  {
    const next = roundRobin(n);
    templates.push({
      impl: 'ours',
      op: 'delete',
      // Recreate the session before each timed delete, outside the timing.
      setup: async () => {
        const i = next();
        await deletes.put(c.sessions[i] as Session);
        return keys[i];
      },
      fn: async (key: string) => do_not_optimize(await deletes.delete(key)),
      maxSamples: 300,
    });
  }
  return {
    templates,
    close: async () => {
      for (const s of stores) await s.close();
    },
  };
}

function specName(t: OpTemplate, setting: string): string {
  return `${t.impl} ${t.op} [${setting}]`;
}

function settingOf(caseName: string, concurrency: number, pipelining: boolean, kind: string) {
  const where = kind === 'cluster' ? ' cluster' : '';
  return `${caseName} c${concurrency} ap-${pipelining ? 'on' : 'off'}${where}`;
}

function groupsFor(
  templates: readonly OpTemplate[],
  caseName: string,
  pipelining: boolean,
  kind: string,
  settings: BenchSettings,
): BenchGroup[] {
  const groups: BenchGroup[] = [];
  const reads = ['GET', 'get', 'get (fenced)', 'read'];
  for (const concurrency of [1, settings.concurrency]) {
    const setting = settingOf(caseName, concurrency, pipelining, kind);
    const spec = (t: OpTemplate, baseline: boolean): BenchSpec => ({
      name: specName(t, setting),
      impl: t.impl,
      op: t.op,
      fn: t.fn,
      ...(t.setup === undefined ? {} : { setup: t.setup }),
      ...(t.maxSamples === undefined ? {} : { maxSamples: t.maxSamples }),
      concurrency,
      perOpSamples: concurrency === 1,
      baseline,
    });
    groups.push({
      title: `reads, ${setting}`,
      specs: templates
        .filter((t) => reads.includes(t.op))
        .map((t) => spec(t, t.impl === 'raw' && t.op === 'GET')),
    });
    groups.push({
      title: `writes, ${setting}`,
      specs: templates
        .filter((t) => !reads.includes(t.op))
        .map((t) => spec(t, t.impl === 'raw' && t.op === 'CAS script')),
    });
  }
  return groups;
}

function ratiosFor(
  measured: readonly Measurement[],
  caseName: string,
  pipelining: boolean,
  kind: string,
  settings: BenchSettings,
): RatioRow[] {
  const rows: RatioRow[] = [];
  for (const concurrency of [1, settings.concurrency]) {
    const setting = settingOf(caseName, concurrency, pipelining, kind);
    const n = (impl: string, op: string) => `${impl} ${op} [${setting}]`;
    const pairs: [string, string, string][] = [
      ['get', n('ours', 'get'), n('raw', 'GET')],
      ['get', n('ours', 'get'), n('connect-redis', 'get')],
      ['get', n('ours', 'get'), n('grammY', 'read')],
      ['get', n('ours', 'get'), n('keyv', 'get')],
      ['get (fenced)', n('ours', 'get (fenced)'), n('raw', 'GET')],
      ['get (fenced)', n('ours', 'get (fenced)'), n('connect-redis', 'get')],
      ['put', n('ours', 'put'), n('raw', 'CAS script')],
      ['put', n('ours', 'put'), n('raw', 'SET EX')],
      ['put', n('ours', 'put'), n('connect-redis', 'set')],
      ['put', n('ours', 'put'), n('grammY', 'write')],
      ['put', n('ours', 'put'), n('keyv', 'set')],
      ['updateCas', n('ours', 'updateCas'), n('raw', 'CAS script')],
      ['updateCas', n('ours', 'updateCas'), n('connect-redis', 'set')],
      ['touch', n('ours', 'touch'), n('raw', 'CAS script')],
      ['delete', n('ours', 'delete'), n('raw', 'CAS script')],
      ['mutate (2 round trips)', n('ours', 'mutate'), n('raw', 'CAS script')],
    ];
    for (const [op, ours, base] of pairs) {
      const r = ratioOf(
        measured,
        kind === 'cluster' ? 'redis cluster' : 'redis',
        setting,
        op,
        ours,
        base,
      );
      if (r !== undefined) rows.push(r);
    }
  }
  return rows;
}

/** Latency table of concurrency-1 runs: p50 and p99 per operation. */
function latencyTable(measured: readonly Measurement[], title: string): Table {
  const rows = measured
    .filter((m) => m.concurrency === 1)
    .map((m) => [m.name, `${(m.p50Ns / 1e3).toFixed(1)} µs`, `${(m.p99Ns / 1e3).toFixed(1)} µs`]);
  return { title, header: ['benchmark (concurrency 1)', 'p50', 'p99'], rows };
}

/** Counts the commands ours sends per operation: client side and from INFO commandstats. */
async function commandsPerOp(target: RedisTarget, c: SessionCase, ops: number): Promise<Table> {
  const admin = quiet(new Redis(target.url));
  const client = quiet(new Redis(target.url));
  let sent = 0;
  const original = client.sendCommand.bind(client);
  client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    sent++;
    return original(...args);
  }) as Redis['sendCommand'];
  const store = new RedisSessionStore({ client, namespace: 'bench:cmdstats' });
  const n = Math.min(ops, c.sessions.length);
  const sessions = c.sessions.slice(0, n);
  const key = (i: number) => (sessions[i] as Session).key;
  const cas: number[] = new Array(n).fill(1);
  const run: Record<string, (i: number) => Promise<unknown>> = {
    put: (i) => store.put(sessions[i] as Session),
    get: (i) => store.get(key(i)),
    'get (fenced)': (i) => store.get(key(i), { tenantId: BENCH_TENANT }),
    updateCas: async (i) => {
      const r = await store.updateCas(sessions[i] as Session, cas[i] as number);
      if (r.ok) cas[i] = r.cas;
    },
    touch: (i) => store.touch(key(i)),
    delete: (i) => store.delete(key(i)),
  };
  // Load every script once, so EVALSHA never falls back to EVAL below.
  for (const op of Object.values(run)) await op(0);
  await store.put(sessions[0] as Session);
  cas[0] = (await store.get(key(0)))?.cas ?? 1;
  const rows: (string | number)[][] = [];
  for (const [name, op] of Object.entries(run)) {
    await admin.config('RESETSTAT');
    sent = 0;
    for (let i = 0; i < n; i++) await op(i);
    const info = await admin.info('commandstats');
    const clientSent = sent;
    const stats = parseCommandStats(info);
    for (const cmd of [...stats.keys()]) {
      if (cmd.startsWith('config') || cmd.startsWith('info')) stats.delete(cmd);
    }
    const perOp = [...stats.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([cmd, calls]) => `${cmd} ${(calls / n).toFixed(2)}`)
      .join(', ');
    rows.push([name, (clientSent / n).toFixed(2), perOp]);
  }
  await store.close();
  client.disconnect();
  admin.disconnect();
  return {
    title: `Commands per operation of ours (${n} operations each; INFO commandstats also counts the commands a script runs inside Redis)`,
    header: ['operation', 'commands sent by the client per op', 'INFO commandstats calls per op'],
    rows,
  };
}

/** Parses `INFO commandstats` into command → calls. */
export function parseCommandStats(info: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of info.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m !== null) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

interface MemoryRow {
  readonly what: string;
  readonly bytes: number;
}

/** MEMORY USAGE per session of ours (data + lookup) and of the peers' single string. */
async function memoryPerSession(
  client: Redis,
  c: SessionCase,
  samples: number,
  tag: string,
): Promise<{ table: Table; ratio: number; encoding: string }> {
  const ns = `bench:${tag}:ours`;
  const usage = async (key: string) => {
    const bytes = await client.memory('USAGE', key, 'SAMPLES', 0);
    return bytes === null ? null : Number(bytes);
  };
  let data = 0;
  let lookup = 0;
  let raw = 0;
  let counted = 0;
  let encoding = 'unknown';
  for (let i = 0; i < c.sessions.length && counted < samples; i++) {
    const k = (c.sessions[i] as Session).key;
    const d = await usage(dataKey(ns, BENCH_TENANT, k));
    const l = await usage(lookupKey(ns, k));
    const r = await usage(`bench:${tag}:raw:{${k}}`);
    if (d === null || l === null || r === null) continue;
    if (counted === 0)
      encoding = String(await client.object('ENCODING', dataKey(ns, BENCH_TENANT, k)));
    data += d;
    lookup += l;
    raw += r;
    counted++;
  }
  const n = Math.max(1, counted);
  const rows: MemoryRow[] = [
    { what: 'session JSON payload', bytes: c.jsonBytes },
    { what: `ours: data key (hash, ${encoding})`, bytes: data / n },
    { what: 'ours: lookup key', bytes: lookup / n },
    { what: 'ours: data + lookup', bytes: (data + lookup) / n },
    { what: 'raw SET of the JSON (connect-redis, grammY store the same)', bytes: raw / n },
  ];
  const ratio = (data + lookup) / n / c.jsonBytes;
  return {
    table: {
      title: `Redis memory per session, ${c.name} case (MEMORY USAGE … SAMPLES 0, mean of ${n})`,
      header: ['what', 'bytes', '÷ JSON payload'],
      rows: rows.map((r) => [r.what, r.bytes.toFixed(0), (r.bytes / c.jsonBytes).toFixed(2)]),
    },
    ratio,
    encoding,
  };
}

function findRatio(rows: readonly RatioRow[], ours: string, base: string): RatioRow | undefined {
  return rows.find((r) => r.ours === ours && r.baseline === base);
}

function redisTargets(ratios: readonly RatioRow[], settings: BenchSettings): TargetRow[] {
  const targets: TargetRow[] = [];
  const cN = settings.concurrency;
  for (const pipelining of [false, true]) {
    const ap = pipelining ? 'on' : 'off';
    for (const [conc, goal] of [
      [1, 0.9],
      [cN, 0.9],
    ] as const) {
      const setting = settingOf('typical', conc, pipelining, 'standalone');
      const r = findRatio(ratios, `ours get [${setting}]`, `raw GET [${setting}]`);
      const f = findRatio(ratios, `ours get (fenced) [${setting}]`, `raw GET [${setting}]`);
      targets.push({
        target: `redis get ≥ ${goal}× raw GET, c${conc}, auto-pipelining ${ap}`,
        measured:
          r === undefined
            ? 'n/a'
            : `${formatRatio(r.ratio)} (fenced get: ${f === undefined ? 'n/a' : formatRatio(f.ratio)})`,
        pass: r === undefined ? null : r.ratio >= goal,
      });
    }
    for (const [conc, goal] of [
      [1, 0.9],
      [cN, 1.0],
    ] as const) {
      const setting = settingOf('typical', conc, pipelining, 'standalone');
      const got = ['put', 'updateCas', 'touch'].map((op) => ({
        op,
        r: findRatio(ratios, `ours ${op} [${setting}]`, `raw CAS script [${setting}]`),
      }));
      const missing = got.some((g) => g.r === undefined);
      targets.push({
        target: `redis put/updateCas/touch ≥ ${goal.toFixed(1)}× raw CAS script, c${conc}, auto-pipelining ${ap}`,
        measured: missing
          ? 'n/a'
          : got.map((g) => `${g.op} ${formatRatio((g.r as RatioRow).ratio)}`).join(', '),
        pass: missing ? null : got.every((g) => (g.r as RatioRow).ratio >= goal),
      });
    }
    const setting = settingOf('typical', cN, pipelining, 'standalone');
    const g = findRatio(ratios, `ours get [${setting}]`, `connect-redis get [${setting}]`);
    const p = findRatio(ratios, `ours put [${setting}]`, `connect-redis set [${setting}]`);
    const u = findRatio(ratios, `ours updateCas [${setting}]`, `connect-redis set [${setting}]`);
    const all = [g, p, u];
    targets.push({
      target: `redis throughput ≥ connect-redis 8.1 get/set at c${cN}, auto-pipelining ${ap}`,
      measured: all.some((x) => x === undefined)
        ? 'n/a'
        : `get ${formatRatio((g as RatioRow).ratio)}, put ${formatRatio((p as RatioRow).ratio)}, updateCas ${formatRatio((u as RatioRow).ratio)} of set`,
      pass: all.some((x) => x === undefined) ? null : all.every((x) => (x as RatioRow).ratio >= 1),
    });
  }
  return targets;
}

/** Runs the standalone Redis section (typical + large case, auto-pipelining off and on). */
export async function runRedisSuite(
  target: RedisTarget,
  settings: BenchSettings,
  print: Printer,
): Promise<SectionResult> {
  const typical = buildCase('typical', settings.keys, 3);
  const large = buildCase('large', Math.max(100, settings.keys / 10), 200);
  const admin = quiet(new Redis(target.url));
  await admin.flushall();
  const keyv = createKeyv(target.url, { namespace: 'bench-keyv' });
  const groups: BenchGroup[] = [];
  const closers: (() => Promise<void>)[] = [];
  const clients: Client[] = [];
  for (const pipelining of [false, true]) {
    const client = openClient(target, pipelining);
    clients.push(client);
    const tag = `t-ap${pipelining ? 1 : 0}`;
    const p = await prepare(target, client, typical, tag, true, keyv);
    closers.push(p.close);
    groups.push(...groupsFor(p.templates, 'typical', pipelining, target.kind, settings));
  }
  {
    const client = openClient(target, false);
    clients.push(client);
    const p = await prepare(target, client, large, 'large', false, null);
    closers.push(p.close);
    groups.push(...groupsFor(p.templates, 'large', false, target.kind, settings));
  }
  const measurements = await runGroups('redis', groups, settings, print);
  const ratios: RatioRow[] = [];
  for (const pipelining of [false, true]) {
    ratios.push(...ratiosFor(measurements, 'typical', pipelining, target.kind, settings));
  }
  ratios.push(...ratiosFor(measurements, 'large', false, target.kind, settings));

  const tables: Table[] = [latencyTable(measurements, 'Latency at concurrency 1 (µs)')];
  const cmd = await commandsPerOp(target, typical, settings.smoke ? 20 : 1_000);
  tables.push(cmd);
  const mem = await memoryPerSession(admin, typical, settings.redisMemorySamples, 't-ap0');
  tables.push(mem.table);
  const memLarge = await memoryPerSession(admin, large, settings.redisMemorySamples, 'large');
  tables.push(memLarge.table);

  const targets = redisTargets(ratios, settings);
  const oneCommand = cmd.rows.every((r) => r[1] === '1.00');
  targets.push({
    target: 'each of the five operations is one command',
    measured: cmd.rows.map((r) => `${r[0]} ${r[1]}`).join(', '),
    pass: oneCommand,
  });
  targets.push({
    target: 'redis memory per session (data + lookup) ≤ 1.5× the JSON payload',
    measured: `${formatRatio(mem.ratio)} typical (${mem.encoding}), ${formatRatio(memLarge.ratio)} large (${memLarge.encoding})`,
    pass: mem.ratio <= 1.5,
  });

  for (const close of closers) await close();
  for (const client of clients) client.disconnect();
  await keyv.disconnect();
  admin.disconnect();
  return {
    name: 'Redis backend (standalone)',
    measurements,
    ratios,
    targets,
    tables,
    notes: [
      `Raw GET returns the JSON string unparsed (the floor); raw SET EX and the raw CAS script serialize the session in the timed call. The raw CAS script GETs a {cas, session} JSON envelope, cjson.decodes it, compares cas and SETs the new envelope with EX.`,
      `Every implementation uses the same ioredis client per auto-pipelining mode, except keyv (@keyv/redis runs on node-redis, which always pipelines what one tick sends).`,
      `c${settings.concurrency} times are wall time ÷ ${settings.concurrency} of ${settings.concurrency} operations on distinct keys in flight at once (1 ÷ throughput).`,
      `ours get is unfenced (one script following the lookup key); a fenced get is one HMGET.`,
    ],
  };
}

/** Runs the same Redis benchmark on a 3-master cluster (auto-pipelining on). */
export async function runRedisClusterSuite(
  target: RedisTarget,
  settings: BenchSettings,
  print: Printer,
): Promise<SectionResult> {
  const typical = buildCase('typical', settings.keys, 3);
  const client = openClient(target, true);
  const p = await prepare(target, client, typical, 'cluster', true, null);
  const groups = groupsFor(p.templates, 'typical', true, 'cluster', settings);
  const measurements = await runGroups('redis cluster', groups, settings, print);
  const ratios = ratiosFor(measurements, 'typical', true, 'cluster', settings);
  await p.close();
  client.disconnect();
  return {
    name: 'Redis backend (3-master cluster)',
    measurements,
    ratios,
    targets: [],
    tables: [latencyTable(measurements, 'Cluster latency at concurrency 1 (µs)')],
    notes: [
      'Three masters on loopback, no replicas; ioredis Cluster with auto-pipelining on; grammY and keyv are not run against the cluster.',
    ],
  };
}
