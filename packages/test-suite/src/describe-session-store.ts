import type { SessionStore } from '@greentic/session-core';
import { afterEach, describe } from 'vitest';
import { adminTests } from './groups/admin.js';
import { badInputTests } from './groups/bad-input.js';
import { basicTests } from './groups/basic.js';
import { casTests } from './groups/cas.js';
import { concurrencyTests } from './groups/concurrency.js';
import { dataTests } from './groups/data.js';
import { fuzzRunsFromEnv, fuzzTests } from './groups/fuzz.js';
import { hostileInputTests } from './groups/hostile-input.js';
import { outboxTests } from './groups/outbox.js';
import { tenantTests } from './groups/tenant.js';
import { ttlTests } from './groups/ttl.js';
import type { DescribeSessionStoreOptions, SuiteContext, SuiteGroup } from './options.js';

/**
 * Registers the conformance suite for one backend: basic, cas, outbox, data, ttl,
 * tenant fence, concurrency, bad input, hostile input (the regression cases of
 * issue 10), the fuzz group (`fuzzRuns`, default `FUZZ_RUNS` or 200) and the
 * operator calls (`admin`: list, count, purge). Every backend runs it unchanged
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
  const { ctx, opened } = suiteContext(options);

  describe(`SessionStore conformance: ${options.name}`, () => {
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    const skip = new Set(options.skip ?? []);
    const groups: [SuiteGroup, (c: SuiteContext) => void][] = [
      ['basic', basicTests],
      ['cas', casTests],
      ['outbox', outboxTests],
      ['data', dataTests],
      ['ttl', ttlTests],
      ['tenant', tenantTests],
      ['concurrency', concurrencyTests],
      ['badInput', badInputTests],
      ['hostileInput', hostileInputTests],
      ['fuzz', fuzzTests],
      ['admin', adminTests],
    ];
    for (const [name, register] of groups) {
      if (skip.has(name) || (name === 'fuzz' && ctx.fuzzRuns === 0)) continue;
      register(ctx);
    }
  });
}

/**
 * Registers only the fuzz group for one backend, e.g. for a cluster
 * deployment whose full conformance run is too slow, or to fuzz longer in a
 * separate file: `describeSessionStoreFuzz({ name, createStore, capabilities, fuzzRuns: 2000 })`.
 */
export function describeSessionStoreFuzz(options: DescribeSessionStoreOptions): void {
  const { ctx, opened } = suiteContext(options);
  describe(`SessionStore fuzz: ${options.name}`, () => {
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    fuzzTests(ctx);
  });
}

function suiteContext(options: DescribeSessionStoreOptions): {
  ctx: SuiteContext;
  opened: SessionStore[];
} {
  const opened: SessionStore[] = [];
  const track = async (store: SessionStore | Promise<SessionStore>) => {
    const s = await store;
    opened.push(s);
    return s;
  };
  const withLimits = options.createStoreWithLimits;
  const ctx: SuiteContext = {
    capabilities: options.capabilities,
    concurrentWriters: options.concurrentWriters ?? 50,
    fuzzRuns: options.fuzzRuns ?? fuzzRunsFromEnv(),
    open: () => track(options.createStore()),
    openWithLimits:
      withLimits === undefined ? undefined : (limits) => track(withLimits.call(options, limits)),
  };
  return { ctx, opened };
}
