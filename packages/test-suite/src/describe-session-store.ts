import type { SessionStore } from '@greentic/session-core';
import { afterEach, describe } from 'vitest';
import { badInputTests } from './groups/bad-input.js';
import { basicTests } from './groups/basic.js';
import { casTests } from './groups/cas.js';
import { concurrencyTests } from './groups/concurrency.js';
import { dataTests } from './groups/data.js';
import { outboxTests } from './groups/outbox.js';
import { tenantTests } from './groups/tenant.js';
import { ttlTests } from './groups/ttl.js';
import type { DescribeSessionStoreOptions, SuiteContext } from './options.js';

/**
 * Registers the conformance suite for one backend: basic, cas, outbox, data, ttl,
 * tenant fence, concurrency and bad input. Every backend runs it unchanged
 * from a single test file.
 *
 * @example
 * ```ts
 * beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
 * describeSessionStore({
 *   name: 'memory',
 *   createStore: () => new InMemorySessionStore(),
 *   capabilities: { clock: 'fake', advanceTime: async (ms) => vi.advanceTimersByTime(ms) },
 * });
 * ```
 */
export function describeSessionStore(options: DescribeSessionStoreOptions): void {
  const opened: SessionStore[] = [];
  const ctx: SuiteContext = {
    capabilities: options.capabilities,
    concurrentWriters: options.concurrentWriters ?? 50,
    async open() {
      const store = await options.createStore();
      opened.push(store);
      return store;
    },
  };

  describe(`SessionStore conformance: ${options.name}`, () => {
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    basicTests(ctx);
    casTests(ctx);
    outboxTests(ctx);
    dataTests(ctx);
    ttlTests(ctx);
    tenantTests(ctx);
    concurrencyTests(ctx);
    badInputTests(ctx);
  });
}
