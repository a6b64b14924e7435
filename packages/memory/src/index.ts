export {
  createInMemorySessionStore,
  InMemorySessionStore,
  type InMemorySessionStoreOptions,
  openSessionStore,
} from './in-memory-session-store.js';
