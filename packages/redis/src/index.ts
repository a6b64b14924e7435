export { toSessionError } from './errors.js';
export {
  DEFAULT_NAMESPACE,
  dataKey,
  dataKeyPrefix,
  lookupKey,
  MAX_NAMESPACE_LENGTH,
  validateNamespace,
} from './keys.js';
export {
  type OpenSessionStoreOptions,
  openSessionStore,
  type ParsedRedisUrl,
  parseRedisUrl,
} from './open-session-store.js';
export {
  createRedisSessionStore,
  DEFAULT_COMMAND_TIMEOUT_MS,
  type RedisClient,
  RedisSessionStore,
  type RedisSessionStoreOptions,
} from './redis-session-store.js';
