import { describeSessionStore } from '@greentic/session-test-suite';
import { afterEach, beforeEach, vi } from 'vitest';
import { InMemorySessionStore } from './in-memory-session-store.js';

// Only Date is faked: mutate's backoff still uses real (tiny) timers.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describeSessionStore({
  name: 'memory',
  createStore: () => new InMemorySessionStore(),
  createStoreWithLimits: (limits) => new InMemorySessionStore({ limits }),
  capabilities: {
    clock: 'fake',
    advanceTime: async (ms) => {
      vi.advanceTimersByTime(ms);
    },
  },
});

// The suite's capability flags, exercised: a store that only honours whole
// minutes (it refuses any other TTL, as a coarse backend would) passes the
// TTL group once it declares `minTtlSecs: 60`; the other groups are skipped.
class MinuteStore extends InMemorySessionStore {
  override put(...args: Parameters<InMemorySessionStore['put']>) {
    assertWholeMinutes(args[0].ttlSecs);
    return super.put(...args);
  }
  override updateCas(...args: Parameters<InMemorySessionStore['updateCas']>) {
    assertWholeMinutes(args[0].ttlSecs);
    return super.updateCas(...args);
  }
  override touch(...args: Parameters<InMemorySessionStore['touch']>) {
    if (typeof args[1] === 'number') assertWholeMinutes(args[1]);
    return super.touch(...args);
  }
}

function assertWholeMinutes(ttlSecs: number): void {
  if (ttlSecs % 60 !== 0) throw new Error(`MinuteStore: ttlSecs ${ttlSecs} is not whole minutes`);
}

describeSessionStore({
  name: 'memory with a 60 s TTL granularity (capability flags)',
  createStore: () => new MinuteStore(),
  capabilities: {
    clock: 'fake',
    minTtlSecs: 60,
    advanceTime: async (ms) => {
      vi.advanceTimersByTime(ms);
    },
  },
  skip: [
    'basic',
    'cas',
    'outbox',
    'data',
    'tenant',
    'concurrency',
    'badInput',
    'hostileInput',
    'fuzz',
    'admin',
  ],
});
