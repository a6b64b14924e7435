/**
 * Redis backend against raw ioredis on the same server and payload and
 * against peers, at concurrency 1 (latency) and N (throughput), with ioredis
 * auto-pipelining off and on; commands per operation, memory per session,
 * and the same benchmark on a 3-master cluster.
 *
 * Each implementation is a {@link Subject} in `redis/subjects/`; adding one
 * is a module there, an entry in {@link SUBJECTS}, and its ratio lines in
 * `redis/ratios.ts`.
 *
 * @packageDocumentation
 */
import { Redis } from 'ioredis';
import { buildCase, type SessionCase } from './fixtures.js';
import type { BenchGroup, Printer } from './harness.js';
import { runGroups } from './harness.js';
import { type Client, openClient, quiet, type RedisTarget } from './redis/client.js';
import { commandsPerOp } from './redis/commands.js';
import { groupsFor, latencyTable, type Setting } from './redis/groups.js';
import { memoryPerSession } from './redis/memory.js';
import { ratiosFor } from './redis/ratios.js';
import type { OpTemplate, Subject } from './redis/spec.js';
import { connectRedisSubject } from './redis/subjects/connect-redis.js';
import { grammySubject } from './redis/subjects/grammy.js';
import { keyvSubject } from './redis/subjects/keyv.js';
import { oursSubject } from './redis/subjects/ours.js';
import { rawSubject } from './redis/subjects/raw.js';
import { pipeliningTable, redisRatioTargets } from './redis/targets.js';
import { formatRatio, type RatioRow, type SectionResult, type Table } from './report.js';
import type { BenchSettings } from './settings.js';

export type { RedisTarget } from './redis/client.js';

/** Every implementation measured, in the order they are plotted. */
export const SUBJECTS: readonly Subject[] = [
  rawSubject,
  connectRedisSubject,
  grammySubject,
  keyvSubject,
  oursSubject,
];

/** Most Redis memory per session, as a multiple of the session JSON. */
const MEMORY_GOAL = 1.2;

interface Prepared {
  readonly templates: OpTemplate[];
  readonly close: () => Promise<void>;
}

/** Seeds and collects the operations of every subject that runs on this client and case. */
async function prepareSubjects(
  target: RedisTarget,
  client: Client,
  c: SessionCase,
  tag: string,
  peers: boolean,
): Promise<Prepared> {
  const chosen = SUBJECTS.filter(
    (s) => (peers || !s.peer) && (target.kind === 'standalone' || s.cluster),
  );
  const templates: OpTemplate[] = [];
  const closers: (() => Promise<void>)[] = [];
  for (const subject of chosen) {
    const p = await subject.prepare({ target, client, c, ns: `bench:${tag}` });
    templates.push(...p.templates);
    if (p.close !== undefined) closers.push(p.close);
  }
  return {
    templates,
    close: async () => {
      for (const close of closers) await close();
    },
  };
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
  const runs: { c: SessionCase; pipelining: boolean; tag: string; peers: boolean }[] = [
    { c: typical, pipelining: false, tag: 't-ap0', peers: true },
    { c: typical, pipelining: true, tag: 't-ap1', peers: true },
    { c: large, pipelining: false, tag: 'large', peers: false },
  ];
  const groups: BenchGroup[] = [];
  const closers: (() => Promise<void>)[] = [];
  const clients: Client[] = [];
  const bases: Omit<Setting, 'concurrency'>[] = [];
  for (const run of runs) {
    const client = openClient(target, run.pipelining);
    clients.push(client);
    const p = await prepareSubjects(target, client, run.c, run.tag, run.peers);
    closers.push(p.close);
    const base = { caseName: run.c.name, pipelining: run.pipelining, kind: target.kind };
    bases.push(base);
    groups.push(...groupsFor(p.templates, base, settings));
  }
  const measurements = await runGroups('redis', groups, settings, print);
  const ratios: RatioRow[] = bases.flatMap((base) => ratiosFor(measurements, base, settings));

  const tables: Table[] = [latencyTable(measurements, 'Latency at concurrency 1 (µs)')];
  tables.push(pipeliningTable(ratios));
  const cmd = await commandsPerOp(target, typical, settings.smoke ? 20 : 1_000);
  tables.push(cmd);
  const mem = await memoryPerSession(admin, typical, settings.redisMemorySamples);
  tables.push(mem.table);
  const memLarge = await memoryPerSession(admin, large, settings.redisMemorySamples);
  tables.push(memLarge.table);

  const targets = redisRatioTargets(ratios, settings);
  targets.push({
    target: 'each of the five operations is one command',
    measured: cmd.rows.map((r) => `${r[0]} ${r[1]}`).join(', '),
    pass: cmd.rows.every((r) => r[1] === '1.00'),
  });
  targets.push({
    target: `redis memory per session ≤ ${MEMORY_GOAL.toFixed(1)}× the session JSON`,
    measured: `${formatRatio(mem.ratio)} typical, ${mem.keysText}; ${formatRatio(memLarge.ratio)} large (the JSON as one plain string key: ${formatRatio(mem.stringRatio)} typical, ${formatRatio(memLarge.stringRatio)} large)`,
    pass: mem.ratio <= MEMORY_GOAL,
    ratio: mem.ratio,
    goal: MEMORY_GOAL,
    comparison: '≤',
  });

  for (const close of closers) await close();
  for (const client of clients) client.disconnect();
  admin.disconnect();
  return {
    name: 'Redis backend (standalone)',
    measurements,
    ratios,
    targets,
    tables,
    notes: [
      'Raw GET returns the JSON string unparsed; raw GET+JSON.parse is the floor of a read that returns an object. Raw SET EX and the raw CAS script serialize the session in the timed call. The raw CAS script GETs a {cas, session} JSON envelope, cjson.decodes it, compares cas and SETs the new envelope with EX.',
      'Every implementation uses the same ioredis client per auto-pipelining mode, except keyv (@keyv/redis runs on node-redis, which always pipelines what one tick sends).',
      `c${settings.concurrency} times are wall time ÷ ${settings.concurrency} of ${settings.concurrency} operations on distinct keys in flight at once (1 ÷ throughput).`,
      'Targets are judged with auto-pipelining off; the auto-pipelining rows compare each targeted ratio with it on to the same ratio with it off.',
      'Memory is measured without knowing the key layout: a SCAN of the store namespace, MEMORY USAGE of every key found, summed and divided by the sessions stored.',
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
  const p = await prepareSubjects(target, client, typical, 'cluster', true);
  const base = { caseName: 'typical', pipelining: true, kind: 'cluster' } as const;
  const measurements = await runGroups(
    'redis cluster',
    groupsFor(p.templates, base, settings),
    settings,
    print,
  );
  const ratios = ratiosFor(measurements, base, settings);
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
