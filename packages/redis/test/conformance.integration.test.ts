import { describeSessionStore } from '@greentic/session-test-suite';
import { describe } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_URL, sleep, uniqueNamespace } from './helpers.js';

describe.skipIf(REDIS_URL === '')('redis standalone', () => {
  describeSessionStore({
    name: 'redis standalone',
    createStore: () => new RedisSessionStore({ url: REDIS_URL, namespace: uniqueNamespace() }),
    createStoreWithLimits: (limits) =>
      new RedisSessionStore({ url: REDIS_URL, namespace: uniqueNamespace(), limits }),
    capabilities: { clock: 'real', advanceTime: sleep },
  });
});
