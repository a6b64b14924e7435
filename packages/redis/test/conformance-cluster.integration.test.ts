import { describeSessionStore } from '@greentic/session-test-suite';
import { describe } from 'vitest';
import { openSessionStore } from '../src/open-session-store.js';
import { REDIS_CLUSTER_URL, sleep, uniqueNamespace } from './helpers.js';

describe.skipIf(REDIS_CLUSTER_URL === '')('redis cluster', () => {
  describeSessionStore({
    name: 'redis cluster (3 masters)',
    createStore: () => openSessionStore(REDIS_CLUSTER_URL, { namespace: uniqueNamespace() }),
    createStoreWithLimits: (limits) =>
      openSessionStore(REDIS_CLUSTER_URL, { namespace: uniqueNamespace(), limits }),
    capabilities: { clock: 'real', advanceTime: sleep },
  });
});
