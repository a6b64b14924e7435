/**
 * Commands ours sends per operation, counted on the client and from the
 * server's `INFO commandstats`.
 *
 * @packageDocumentation
 */
import { RedisSessionStore } from '@greentic/session-redis';
import type { Session } from '@greentic/session-types';
import { Redis } from 'ioredis';
import { BENCH_TENANT, type SessionCase } from '../fixtures.js';
import type { Table } from '../report.js';
import { quiet, type RedisTarget } from './client.js';

/** Parses `INFO commandstats` into command → calls. */
export function parseCommandStats(info: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of info.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m !== null) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

/**
 * Runs each operation `ops` times on its own client and counts commands.
 *
 * @returns one row per operation: name, client commands per op, server calls per op
 */
export async function commandsPerOp(
  target: RedisTarget,
  c: SessionCase,
  ops: number,
): Promise<Table> {
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
