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
