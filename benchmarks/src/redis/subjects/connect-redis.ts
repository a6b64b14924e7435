/**
 * connect-redis 8.1 (express-session's Redis store; the last version that
 * takes an ioredis client): a JSON string per session, plain SET with expiry.
 *
 * @packageDocumentation
 */
import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { TTL_SECS } from '../client.js';
import { roundRobinOp, type Subject, seedStrings } from '../spec.js';

/** connect-redis `get` and `set` on the shared client. */
export const connectRedisSubject: Subject = {
  name: 'connect-redis',
  peer: true,
  cluster: true,
  async prepare({ client, c, ns }) {
    const n = c.sessions.length;
    const keys = c.sessions.map((s) => s.key);
    const prefix = `${ns}:sess:`;
    const store = new RedisStore({ client, prefix, ttl: TTL_SECS });
    await seedStrings(
      client,
      keys.map((k, i) => [`${prefix}${k}`, c.json[i] as string]),
    );
    return {
      templates: [
        roundRobinOp('connect-redis', 'get', 'read', n, (i) => store.get(keys[i] as string)),
        roundRobinOp('connect-redis', 'set', 'write', n, (i) =>
          store.set(keys[i] as string, c.plain[i] as unknown as SessionData),
        ),
      ],
    };
  },
};
