/**
 * Ours: `RedisSessionStore` on the shared client, through its public API
 * only (no assumption about its key layout).
 *
 * @packageDocumentation
 */
import { mutate } from '@greentic/session-core';
import { RedisSessionStore } from '@greentic/session-redis';
import type { Session, SessionSnapshot } from '@greentic/session-types';
import { do_not_optimize } from 'mitata';
import { BENCH_TENANT, roundRobin } from '../../fixtures.js';
import type { Client } from '../client.js';
import { roundRobinOp, type Subject } from '../spec.js';

const NEXT_NODE = 'ask-phone-number';

/** Puts every session, 500 in flight at a time. */
export async function seedStore(
  store: RedisSessionStore,
  sessions: readonly SessionSnapshot[],
): Promise<void> {
  for (let i = 0; i < sessions.length; i += 500) {
    await Promise.all(sessions.slice(i, i + 500).map((s) => store.put(s)));
  }
}

/** A store under `namespace` on a client it does not own. */
export function openStore(client: Client, namespace: string): RedisSessionStore {
  return new RedisSessionStore({ client, namespace });
}

/** get, fenced get, put, updateCas, touch, mutate and delete. */
export const oursSubject: Subject = {
  name: 'ours',
  peer: false,
  cluster: true,
  async prepare({ client, c, ns }) {
    const n = c.sessions.length;
    const keys = c.sessions.map((s) => s.key);
    const session = (i: number) => c.sessions[i] as Session;
    const store = openStore(client, `${ns}:ours`);
    // Namespaces of their own: put and mutate on the shared one move every
    // cas, and delete must not remove what the others read.
    const casStore = openStore(client, `${ns}:ours-cas`);
    const deletes = openStore(client, `${ns}:ours-delete`);
    await seedStore(store, c.sessions);
    await seedStore(casStore, c.sessions);
    const current: number[] = new Array(n).fill(1);
    const nextDelete = roundRobin(n);
    return {
      templates: [
        roundRobinOp('ours', 'get', 'read', n, (i) => store.get(keys[i] as string)),
        roundRobinOp('ours', 'get (fenced)', 'read', n, (i) =>
          store.get(keys[i] as string, { tenantId: BENCH_TENANT }),
        ),
        roundRobinOp('ours', 'put', 'write', n, (i) => store.put(session(i))),
        roundRobinOp('ours', 'updateCas', 'write', n, async (i) => {
          const r = await casStore.updateCas(session(i), current[i] as number);
          if (!r.ok) throw new Error(`updateCas conflict on key ${i}: ${r.reason}`);
          current[i] = r.cas;
        }),
        roundRobinOp('ours', 'touch', 'write', n, (i) => store.touch(keys[i] as string)),
        roundRobinOp('ours', 'mutate', 'write', n, (i) =>
          mutate(store, keys[i] as string, (s) => ({
            ...s,
            cursor: { ...s.cursor, nodeId: NEXT_NODE },
          })),
        ),
        {
          impl: 'ours',
          op: 'delete',
          kind: 'write',
          // Recreate the session before each timed delete, outside the timing.
          setup: async () => {
            const i = nextDelete();
            await deletes.put(session(i));
            return keys[i];
          },
          fn: async (key: string) => do_not_optimize(await deletes.delete(key)),
          maxSamples: 300,
        },
      ],
      close: async () => {
        for (const s of [store, casStore, deletes]) await s.close();
      },
    };
  },
};
