import {
  registerSessionStoreBackend,
  type SessionStoreBackend,
} from '@greentic/session-core/backend';
import { openSessionStore } from './open-session-store.js';

/**
 * The Redis backend for core's `createSessionStore`: `redis://`, `rediss://`,
 * `redis+cluster://`, `rediss+cluster://`, `redis+sentinel://`,
 * `rediss+sentinel://`. Importing this package registers it; pass it in
 * `options.backends` to be explicit (in a bundle, for example).
 */
export const redisBackend: SessionStoreBackend = Object.freeze({
  name: '@greentic/session-redis',
  schemes: Object.freeze([
    'redis',
    'rediss',
    'redis+cluster',
    'rediss+cluster',
    'redis+sentinel',
    'rediss+sentinel',
  ]),
  open: (url: string, options?: Record<string, unknown>) => openSessionStore(url, options),
});

// The one side effect of this package (listed in package.json `sideEffects`).
registerSessionStoreBackend(redisBackend);
