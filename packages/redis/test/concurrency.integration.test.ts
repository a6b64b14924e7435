import { mutate, type SessionStore } from '@greentic/session-core';
import { sampleSession } from '@greentic/session-test-suite';
import { afterEach, describe, expect, it } from 'vitest';
import { openSessionStore } from '../src/open-session-store.js';
import { REDIS_CLUSTER_URL, REDIS_URL, uniqueNamespace } from './helpers.js';

const CONNECTIONS = 4;
const INCREMENTS = 25;

describe.each([
  ['standalone', REDIS_URL],
  ['cluster', REDIS_CLUSTER_URL],
])('mutate across separate connections (%s)', (_name, url) => {
  const stores: SessionStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it.skipIf(url === '')(
    `${CONNECTIONS} connections x ${INCREMENTS} increments of a label counter lose nothing`,
    async () => {
      const namespace = uniqueNamespace();
      for (let i = 0; i < CONNECTIONS; i++) stores.push(openSessionStore(url, { namespace }));
      const session = sampleSession({ ttlSecs: 600 });
      await stores[0]?.put({ ...session, meta: { ...session.meta, labels: { counter: 0 } } });
      let attempts = 0;
      await Promise.all(
        stores.map(async (store) => {
          for (let i = 0; i < INCREMENTS; i++) {
            const result = await mutate(
              store,
              session.key,
              (current) => ({
                ...current,
                meta: {
                  ...current.meta,
                  labels: { counter: (current.meta.labels.counter as number) + 1 },
                },
              }),
              { maxAttempts: 1000, baseDelayMs: 1, maxDelayMs: 10 },
            );
            attempts += result?.attempts ?? 0;
          }
        }),
      );
      const got = await stores[1]?.get(session.key);
      expect(got?.session.meta.labels.counter).toBe(CONNECTIONS * INCREMENTS);
      expect(got?.cas).toBe(1 + CONNECTIONS * INCREMENTS);
      expect(attempts).toBeGreaterThanOrEqual(CONNECTIONS * INCREMENTS);
    },
  );
});
