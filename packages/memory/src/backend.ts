import {
  registerSessionStoreBackend,
  type SessionStoreBackend,
} from '@greentic/session-core/backend';
import { openSessionStore } from './in-memory-session-store.js';

/**
 * The in-memory backend for core's `createSessionStore('memory://')`.
 * Importing this package registers it; pass it in `options.backends` to be
 * explicit (in a bundle, for example).
 */
export const memoryBackend: SessionStoreBackend = Object.freeze({
  name: '@greentic/session-memory',
  schemes: Object.freeze(['memory']),
  open: (url: string, options?: Record<string, unknown>) => openSessionStore(url, options),
});

// The one side effect of this package (listed in package.json `sideEffects`).
registerSessionStoreBackend(memoryBackend);
