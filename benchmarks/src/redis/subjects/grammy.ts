/**
 * @grammyjs/storage-redis: grammY's session storage, a JSON string per
 * session. Standalone only.
 *
 * @packageDocumentation
 */
import { RedisAdapter } from '@grammyjs/storage-redis';
import type { Session } from '@greentic/session-types';
import { TTL_SECS } from '../client.js';
import { roundRobinOp, type Subject, seedStrings } from '../spec.js';

type AdapterClient = NonNullable<ConstructorParameters<typeof RedisAdapter>[0]['instance']>;

/** grammY `read` and `write` on the shared client. */
export const grammySubject: Subject = {
  name: 'grammY',
  peer: true,
  cluster: false,
  async prepare({ client, c, ns }) {
    const n = c.sessions.length;
    // Typed against ioredis 5; it only calls get/set/del, which ioredis 6 keeps.
    const adapter = new RedisAdapter<Session>({
      instance: client as unknown as AdapterClient,
      ttl: TTL_SECS,
    });
    const keys = c.sessions.map((s) => `${ns}:grammy:${s.key}`);
    await seedStrings(
      client,
      keys.map((k, i) => [k, c.json[i] as string]),
    );
    return {
      templates: [
        roundRobinOp('grammY', 'read', 'read', n, (i) => adapter.read(keys[i] as string)),
        roundRobinOp('grammY', 'write', 'write', n, (i) =>
          adapter.write(keys[i] as string, c.plain[i] as Session),
        ),
      ],
    };
  },
};
