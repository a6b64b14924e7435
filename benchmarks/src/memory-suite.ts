/**
 * In-memory backend against in-process baselines: the read limit (`Map.get`),
 * the cost of a copy (JSON round trip), botbuilder's `MemoryStorage` (the
 * closest peer with optimistic concurrency) and grammY's
 * `MemorySessionStorage` (a peer that copies nothing).
 *
 * @packageDocumentation
 */
import { mutableJsonCopy, mutate } from '@greentic/session-core';
import { InMemorySessionStore } from '@greentic/session-memory';
import type { Session } from '@greentic/session-types';
import { MemoryStorage } from 'botbuilder-core';
import { MemorySessionStorage } from 'grammy';
import { do_not_optimize } from 'mitata';
import { buildCase, roundRobin, type SessionCase } from './fixtures.js';
import type { BenchGroup, BenchSpec, Measurement, Printer } from './harness.js';
import { runGroups } from './harness.js';
import {
  formatRatio,
  type RatioRow,
  ratioOf,
  type SectionResult,
  type TargetRow,
} from './report.js';
import type { BenchSettings } from './settings.js';

const SECTION = 'memory';

/** The node a mutation moves the cursor to. */
const NEXT_NODE = 'ask-phone-number';

async function populatedStore(c: SessionCase): Promise<InMemorySessionStore> {
  const store = new InMemorySessionStore();
  for (const s of c.sessions) await store.put(s);
  return store;
}

type BotItem = Session & { eTag?: string };

async function populatedBotStorage(c: SessionCase): Promise<MemoryStorage> {
  const storage = new MemoryStorage();
  for (const s of c.plain) await storage.write({ [s.key]: { ...s } });
  return storage;
}

/** Reads the eTag botbuilder assigned to each key. */
async function botETags(storage: MemoryStorage, c: SessionCase): Promise<string[]> {
  const keys = c.plain.map((s) => s.key);
  const data = await storage.read(keys);
  return keys.map((k) => String((data[k] as BotItem).eTag));
}

async function specsFor(c: SessionCase): Promise<BenchSpec[]> {
  const n = c.sessions.length;
  const keys = c.sessions.map((s) => s.key);
  const tag = c.name;
  const name = (impl: string, op: string) => `${impl} ${op} [${tag}]`;
  const specs: BenchSpec[] = [];

  // Baselines: the read limit and the cost of a copy.
  const objects = new Map(c.sessions.map((s) => [s.key, s]));
  const strings = new Map(c.sessions.map((s, i) => [s.key, c.json[i] as string]));
  {
    const next = roundRobin(n);
    specs.push({
      name: name('Map', 'get'),
      impl: 'Map',
      op: 'get',
      baseline: true,
      fn: () => do_not_optimize(objects.get(keys[next()] as string)),
    });
  }
  {
    // The floor of any async store: an async function around Map.get, awaited.
    const asyncGet = async (key: string) => objects.get(key);
    const next = roundRobin(n);
    specs.push({
      name: name('Map', 'async get'),
      impl: 'Map',
      op: 'async get',
      fn: async () => do_not_optimize(await asyncGet(keys[next()] as string)),
    });
  }
  {
    const next = roundRobin(n);
    specs.push({
      name: name('Map', 'get+JSON.parse'),
      impl: 'Map',
      op: 'get+JSON.parse',
      fn: () => do_not_optimize(JSON.parse(strings.get(keys[next()] as string) as string)),
    });
  }
  {
    const next = roundRobin(n);
    specs.push({
      name: name('Map', 'JSON.stringify+set'),
      impl: 'Map',
      op: 'JSON.stringify+set',
      fn: () => {
        const i = next();
        strings.set(keys[i] as string, JSON.stringify(c.plain[i]));
      },
    });
  }

  // botbuilder MemoryStorage: JSON copies on read and write, eTag checks on write.
  {
    const storage = await populatedBotStorage(c);
    const next = roundRobin(n);
    specs.push({
      name: name('botbuilder', 'read'),
      impl: 'botbuilder',
      op: 'read',
      fn: async () => do_not_optimize(await storage.read([keys[next()] as string])),
    });
  }
  {
    const storage = await populatedBotStorage(c);
    const next = roundRobin(n);
    const items = c.plain.map((s) => ({ ...s }));
    specs.push({
      name: name('botbuilder', 'write'),
      impl: 'botbuilder',
      op: 'write',
      fn: async () => {
        const i = next();
        await storage.write({ [keys[i] as string]: items[i] });
      },
    });
  }
  {
    const storage = await populatedBotStorage(c);
    const etags = await botETags(storage, c);
    const next = roundRobin(n);
    const items: BotItem[] = c.plain.map((s) => ({ ...s }));
    specs.push({
      name: name('botbuilder', 'eTag write'),
      impl: 'botbuilder',
      op: 'eTag write',
      fn: async () => {
        const i = next();
        const item = items[i] as BotItem;
        item.eTag = etags[i] as string;
        await storage.write({ [keys[i] as string]: item });
        // MemoryStorage numbers eTags from one counter; the write took the last one.
        etags[i] = String((storage as unknown as { etag: number }).etag - 1);
      },
    });
  }
  {
    const storage = await populatedBotStorage(c);
    const next = roundRobin(n);
    specs.push({
      name: name('botbuilder', 'read+eTag write'),
      impl: 'botbuilder',
      op: 'read+eTag write',
      fn: async () => {
        const key = keys[next()] as string;
        const data = await storage.read([key]);
        const item = data[key] as BotItem;
        item.cursor.nodeId = NEXT_NODE;
        await storage.write({ [key]: item });
      },
    });
  }

  // grammY MemorySessionStorage: stores the caller's object, copies nothing.
  {
    const storage = new MemorySessionStorage<Session>();
    for (const s of c.plain) storage.write(s.key, s);
    const next = roundRobin(n);
    specs.push({
      name: name('grammY', 'read'),
      impl: 'grammY',
      op: 'read',
      fn: () => do_not_optimize(storage.read(keys[next()] as string)),
    });
  }
  {
    const storage = new MemorySessionStorage<Session>();
    const next = roundRobin(n);
    specs.push({
      name: name('grammY', 'write'),
      impl: 'grammY',
      op: 'write',
      fn: () => {
        const i = next();
        storage.write(keys[i] as string, c.plain[i] as Session);
      },
    });
  }

  // Ours.
  {
    const store = await populatedStore(c);
    const next = roundRobin(n);
    specs.push({
      name: name('ours', 'get'),
      impl: 'ours',
      op: 'get',
      fn: async () => do_not_optimize(await store.get(keys[next()] as string)),
    });
  }
  {
    const store = await populatedStore(c);
    const next = roundRobin(n);
    specs.push({
      name: name('ours', 'put'),
      impl: 'ours',
      op: 'put',
      fn: async () => do_not_optimize(await store.put(c.sessions[next()] as Session)),
    });
  }
  {
    const store = await populatedStore(c);
    const cas = c.sessions.map(() => 1);
    const next = roundRobin(n);
    specs.push({
      name: name('ours', 'updateCas'),
      impl: 'ours',
      op: 'updateCas',
      fn: async () => {
        const i = next();
        const r = await store.updateCas(c.sessions[i] as Session, cas[i] as number);
        if (!r.ok) throw new Error(`updateCas conflict on key ${i}: ${r.reason}`);
        cas[i] = r.cas;
      },
    });
  }
  // The same writes from plain objects (parsed off the wire, never frozen):
  // nothing can be reused, everything is validated and copied.
  {
    const store = await populatedStore(c);
    const next = roundRobin(n);
    specs.push({
      name: name('ours', 'put (plain)'),
      impl: 'ours',
      op: 'put (plain)',
      fn: async () => do_not_optimize(await store.put(c.plain[next()] as Session)),
    });
  }
  {
    const store = await populatedStore(c);
    const cas = c.sessions.map(() => 1);
    const next = roundRobin(n);
    specs.push({
      name: name('ours', 'updateCas (plain)'),
      impl: 'ours',
      op: 'updateCas (plain)',
      fn: async () => {
        const i = next();
        const r = await store.updateCas(c.plain[i] as Session, cas[i] as number);
        if (!r.ok) throw new Error(`updateCas conflict on key ${i}: ${r.reason}`);
        cas[i] = r.cas;
      },
    });
  }
  {
    const store = await populatedStore(c);
    const next = roundRobin(n);
    specs.push({
      name: name('ours', 'touch'),
      impl: 'ours',
      op: 'touch',
      fn: async () => do_not_optimize(await store.touch(keys[next()] as string)),
    });
  }
  {
    const store = await populatedStore(c);
    const next = roundRobin(n);
    specs.push({
      name: name('ours', 'mutate'),
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
  {
    const store = await populatedStore(c);
    const next = roundRobin(n);
    specs.push({
      name: name('ours', 'delete'),
      impl: 'ours',
      op: 'delete',
      // Recreate the session before each timed delete, outside the timing.
      setup: async () => {
        const i = next();
        await store.put(c.sessions[i] as Session);
        return keys[i];
      },
      fn: async (key: string) => do_not_optimize(await store.delete(key)),
      // One setup per timed call: batches of 4096 puts per sample would dominate the run.
      perOpSamples: true,
      maxSamples: 3_000,
    });
  }
  // A mutable copy of a frozen snapshot, what a framework adapter makes of
  // every session it reads: ours against structuredClone and a JSON round trip.
  {
    const copyCtx = { pkg: '@greentic/benchmarks', op: 'copy' };
    const copies: [string, (s: unknown) => unknown][] = [
      ['mutableJsonCopy', (s) => mutableJsonCopy(s, copyCtx, 'session')],
      ['structuredClone', (s) => structuredClone(s)],
      ['JSON round trip', (s) => JSON.parse(JSON.stringify(s))],
    ];
    for (const [impl, copy] of copies) {
      const next = roundRobin(n);
      specs.push({
        name: name(impl, 'mutable copy'),
        impl,
        op: 'mutable copy',
        baseline: impl === 'structuredClone',
        fn: () => do_not_optimize(copy(c.sessions[next()])),
      });
    }
  }
  return specs;
}

function groupsOf(specs: readonly BenchSpec[], caseName: string): BenchGroup[] {
  const reads = ['get', 'async get', 'get+JSON.parse', 'read'];
  return [
    {
      title: `reads, ${caseName} session`,
      specs: specs.filter((s) => reads.includes(s.op)),
    },
    {
      title: `writes, ${caseName} session`,
      specs: specs
        .filter((s) => !reads.includes(s.op) && s.op !== 'mutable copy')
        .map((s) => (s.name.startsWith('botbuilder eTag write') ? { ...s, baseline: true } : s)),
    },
    {
      title: `mutable copy of a ${caseName} snapshot`,
      specs: specs.filter((s) => s.op === 'mutable copy'),
    },
  ];
}

function ratiosOf(measured: readonly Measurement[], caseName: string): RatioRow[] {
  const n = (impl: string, op: string) => `${impl} ${op} [${caseName}]`;
  const pairs: [string, string, string][] = [
    ['get', n('ours', 'get'), n('Map', 'get')],
    ['get', n('ours', 'get'), n('Map', 'async get')],
    ['get', n('ours', 'get'), n('Map', 'get+JSON.parse')],
    ['get', n('ours', 'get'), n('botbuilder', 'read')],
    ['get', n('ours', 'get'), n('grammY', 'read')],
    ['put', n('ours', 'put'), n('botbuilder', 'eTag write')],
    ['put', n('ours', 'put'), n('botbuilder', 'write')],
    ['put', n('ours', 'put'), n('Map', 'JSON.stringify+set')],
    ['put', n('ours', 'put'), n('grammY', 'write')],
    ['updateCas', n('ours', 'updateCas'), n('botbuilder', 'eTag write')],
    ['put (plain)', n('ours', 'put (plain)'), n('botbuilder', 'eTag write')],
    ['updateCas (plain)', n('ours', 'updateCas (plain)'), n('botbuilder', 'eTag write')],
    ['touch', n('ours', 'touch'), n('botbuilder', 'eTag write')],
    ['mutate', n('ours', 'mutate'), n('botbuilder', 'read+eTag write')],
    ['mutable copy', n('mutableJsonCopy', 'mutable copy'), n('structuredClone', 'mutable copy')],
    ['mutable copy', n('mutableJsonCopy', 'mutable copy'), n('JSON round trip', 'mutable copy')],
  ];
  return pairs
    .map(([op, ours, base]) => ratioOf(measured, SECTION, caseName, op, ours, base))
    .filter((r): r is RatioRow => r !== undefined);
}

function targetsOf(ratios: readonly RatioRow[]): TargetRow[] {
  const find = (ours: string, base: string) =>
    ratios.find((r) => r.ours === ours && r.baseline === base);
  const targets: TargetRow[] = [];
  const get = find('ours get [typical]', 'Map get [typical]');
  const floor = find('ours get [typical]', 'Map async get [typical]');
  targets.push({
    target: 'memory get costs ≤ 5× raw Map.get',
    measured:
      get === undefined || floor === undefined
        ? 'n/a'
        : `${(1 / get.ratio).toFixed(2)}× the cost (${(1 / floor.ratio).toFixed(2)}× an awaited async Map.get)`,
    pass: get === undefined ? null : 1 / get.ratio <= 5,
  });
  for (const op of ['put', 'updateCas']) {
    const r = find(`ours ${op} [typical]`, 'botbuilder eTag write [typical]');
    const plain = find(`ours ${op} (plain) [typical]`, 'botbuilder eTag write [typical]');
    targets.push({
      target: `memory ${op} ≥ 1.5× botbuilder eTag write throughput`,
      measured:
        r === undefined || plain === undefined
          ? 'n/a'
          : `${formatRatio(r.ratio)} from a snapshot; ${formatRatio(plain.ratio)} from a plain object`,
      pass: r === undefined ? null : r.ratio >= 1.5,
    });
  }
  const m = find('ours mutate [typical]', 'botbuilder read+eTag write [typical]');
  targets.push({
    target: 'memory mutate ≥ 3× botbuilder read+eTag write cycle',
    measured: m === undefined ? 'n/a' : formatRatio(m.ratio),
    pass: m === undefined ? null : m.ratio >= 3,
  });
  return targets;
}

/**
 * Runs the in-memory section: the typical session over `settings.keys` keys
 * and the large one (200 outbox entries) over a tenth as many.
 */
export async function runMemorySuite(
  settings: BenchSettings,
  print: Printer,
): Promise<SectionResult> {
  const typical = buildCase('typical', settings.keys, 3);
  const large = buildCase('large', Math.max(100, settings.keys / 10), 200);
  const groups: BenchGroup[] = [];
  for (const c of [typical, large]) groups.push(...groupsOf(await specsFor(c), c.name));
  const measurements = await runGroups(SECTION, groups, settings, print);
  const ratios = [...ratiosOf(measurements, 'typical'), ...ratiosOf(measurements, 'large')];
  return {
    name: 'In-memory backend',
    measurements,
    ratios,
    targets: targetsOf(ratios),
    tables: [],
    notes: [
      `Typical session: ${Math.round(typical.jsonBytes)} bytes of JSON, 3 outbox entries, 3 labels, ${typical.sessions.length} keys round-robin; large: ${Math.round(large.jsonBytes)} bytes, 200 outbox entries, ${large.sessions.length} keys.`,
      'Ours returns a deeply frozen snapshot (no copy per read). A write validates and keeps a frozen copy of its input, reusing the parts that are already validated frozen snapshots: `put`/`updateCas` pass the snapshots core’s helpers built (the documented way to build sessions), `(plain)` variants pass the same sessions as plain JSON objects, which are validated and copied whole. botbuilder JSON-copies on read and write; grammY keeps the caller’s object and validates nothing.',
      'Map get and grammY read are synchronous; every other operation is awaited (the SessionStore contract is async).',
    ],
  };
}
