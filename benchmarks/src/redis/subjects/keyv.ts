/**
 * @keyv/redis: Keyv on node-redis (its own connection, which always
 * pipelines what one tick sends, whatever the ioredis mode). Standalone only.
 *
 * @packageDocumentation
 */
import { createKeyv } from '@keyv/redis';
import { TTL_SECS } from '../client.js';
import { roundRobinOp, type Subject } from '../spec.js';

/** keyv `get` and `set` on a node-redis connection of its own. */
export const keyvSubject: Subject = {
  name: 'keyv',
  peer: true,
  cluster: false,
  async prepare({ target, c, ns }) {
    const n = c.sessions.length;
    const keys = c.sessions.map((s) => s.key);
    const keyv = createKeyv(target.url, { namespace: `${ns}-keyv` });
    for (let i = 0; i < n; i += 500) {
      await Promise.all(
        keys.slice(i, i + 500).map((k, j) => keyv.set(k, c.plain[i + j], TTL_SECS * 1000)),
      );
    }
    return {
      templates: [
        roundRobinOp('keyv', 'get', 'read', n, (i) => keyv.get(keys[i] as string)),
        roundRobinOp('keyv', 'set', 'write', n, (i) =>
          keyv.set(keys[i] as string, c.plain[i], TTL_SECS * 1000),
        ),
      ],
      close: () => keyv.disconnect(),
    };
  },
};
