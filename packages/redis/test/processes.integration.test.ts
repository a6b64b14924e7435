import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sampleSession } from '@greentic/session-test-suite';
import { describe, expect, it } from 'vitest';
import { openSessionStore } from '../src/open-session-store.js';
import { REDIS_CLUSTER_URL, REDIS_URL, uniqueNamespace } from './helpers.js';

const run = promisify(execFile);
const worker = fileURLToPath(new URL('./fixtures/increment-worker.mjs', import.meta.url));
const PROCESSES = 4;
const INCREMENTS = 20;

describe.each([
  ['standalone', REDIS_URL],
  ['cluster', REDIS_CLUSTER_URL],
])('mutate from separate worker processes (%s)', (_name, url) => {
  it.skipIf(url === '')(
    `${PROCESSES} processes x ${INCREMENTS} increments of one session lose no update`,
    { timeout: 60_000 },
    async () => {
      const namespace = uniqueNamespace();
      const store = openSessionStore(url, { namespace });
      try {
        const session = sampleSession({ ttlSecs: 600 });
        await store.put({ ...session, meta: { ...session.meta, labels: { counter: 0 } } });
        const outputs = await Promise.all(
          Array.from({ length: PROCESSES }, () =>
            run(process.execPath, [worker, url, namespace, session.key, String(INCREMENTS)]),
          ),
        );
        const attempts = outputs.map(
          (o) => (JSON.parse(o.stdout) as { attempts: number }).attempts,
        );
        const got = await store.get(session.key);
        expect(got?.session.meta.labels.counter).toBe(PROCESSES * INCREMENTS);
        expect(got?.cas).toBe(1 + PROCESSES * INCREMENTS);
        expect(attempts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(PROCESSES * INCREMENTS);
      } finally {
        await store.close();
      }
    },
  );
});
