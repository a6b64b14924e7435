/**
 * Redis memory per session, measured without knowing the store's key
 * layout: every key of a store starts with its namespace, so a SCAN of the
 * namespace finds them all, and their `MEMORY USAGE` sum divided by the
 * sessions stored is the cost of one session, whatever keys and types the
 * layout uses.
 *
 * @packageDocumentation
 */
import type { Redis } from 'ioredis';
import type { SessionCase } from '../fixtures.js';
import type { Table } from '../report.js';
import { seedStrings } from './spec.js';
import { openStore, seedStore } from './subjects/ours.js';

/** What the keys under one prefix hold. */
export interface PrefixMemory {
  readonly keys: number;
  /** Sum of `MEMORY USAGE … SAMPLES 0` (every nested value counted). */
  readonly bytes: number;
  /** Keys per `<type>/<encoding>`, e.g. `string/raw`. */
  readonly types: ReadonlyMap<string, number>;
}

/** Escapes SCAN MATCH glob characters so `prefix` matches literally. */
export function globEscape(prefix: string): string {
  return prefix.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Sums the memory of every key that starts with `prefix` (standalone server).
 *
 * @param client - a standalone client
 * @param prefix - literal key prefix, such as a store's namespace
 */
export async function prefixMemory(client: Redis, prefix: string): Promise<PrefixMemory> {
  const match = `${globEscape(prefix)}*`;
  const types = new Map<string, number>();
  let keys = 0;
  let bytes = 0;
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipe = client.pipeline();
    for (const key of batch) {
      pipe.memory('USAGE', key, 'SAMPLES', 0);
      pipe.type(key);
      pipe.object('ENCODING', key);
    }
    const replies = (await pipe.exec()) ?? [];
    for (let i = 0; i < batch.length; i++) {
      const [usage, type, encoding] = [0, 1, 2].map((j) => replies[3 * i + j]?.[1]);
      // A key that expired between SCAN and MEMORY USAGE has no usage.
      if (usage === null || usage === undefined) continue;
      keys++;
      bytes += Number(usage);
      const kind = `${String(type)}/${String(encoding)}`;
      types.set(kind, (types.get(kind) ?? 0) + 1);
    }
  } while (cursor !== '0');
  return { keys, bytes, types };
}

/** Memory per session of ours and of the JSON string the peers store. */
export interface SessionMemory {
  readonly table: Table;
  /** Ours bytes per session ÷ session JSON bytes. */
  readonly ratio: number;
  /** The same for the JSON stored as one plain string key: the floor of any layout here. */
  readonly stringRatio: number;
  /** Keys per session and their types, e.g. `2.00 keys (hash/hashtable 1.00, string/embstr 1.00)`. */
  readonly keysText: string;
}

/**
 * Puts the first `samples` sessions of a case into a store of their own
 * namespace (and the same JSON as plain strings under a prefix of their
 * own), then measures both prefixes.
 */
export async function memoryPerSession(
  client: Redis,
  c: SessionCase,
  samples: number,
): Promise<SessionMemory> {
  const sessions = c.sessions.slice(0, samples);
  const n = sessions.length;
  // Neither prefix is a prefix of any other key the benchmarks write.
  const oursNs = `bench-mem-ours-${c.name}`;
  const rawPrefix = `bench-mem-raw-${c.name}:`;
  const store = openStore(client, oursNs);
  await seedStore(store, sessions);
  await store.close();
  await seedStrings(
    client,
    sessions.map((s, i) => [`${rawPrefix}{${s.key}}`, c.json[i] as string]),
  );
  const ours = await prefixMemory(client, oursNs);
  const raw = await prefixMemory(client, rawPrefix);
  const jsonBytes = c.json.slice(0, n).reduce((sum, j) => sum + Buffer.byteLength(j), 0) / n;
  const types = [...ours.types.entries()]
    .map(([kind, count]) => `${kind} ${(count / n).toFixed(2)}`)
    .join(', ');
  const keysText = `${(ours.keys / n).toFixed(2)} keys (${types})`;
  const perSession = ours.bytes / n;
  const row = (what: string, bytes: number) => [
    what,
    bytes.toFixed(0),
    (bytes / jsonBytes).toFixed(2),
  ];
  return {
    table: {
      title: `Redis memory per session, ${c.name} case (sum of MEMORY USAGE … SAMPLES 0 over every key under the prefix ÷ ${n} sessions)`,
      header: ['what', 'bytes per session', '÷ session JSON'],
      rows: [
        row('session JSON (UTF-8 bytes)', jsonBytes),
        row(`ours: every key under the store's namespace; ${keysText}`, perSession),
        row('the JSON as one string key (connect-redis and grammY store this)', raw.bytes / n),
      ],
    },
    ratio: perSession / jsonBytes,
    stringRatio: raw.bytes / n / jsonBytes,
    keysText,
  };
}
