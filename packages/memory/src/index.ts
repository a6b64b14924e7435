export { memoryBackend } from './backend.js';
export {
  createInMemorySessionStore,
  InMemorySessionStore,
  type InMemorySessionStoreOptions,
  openSessionStore,
} from './in-memory-session-store.js';
