export { redisBackend } from './backend.js';
export { decodeValue, encodeTail, VALUE_FORMAT } from './codec.js';
export { redactUrl, toSessionError } from './errors.js';
export {
  DEFAULT_NAMESPACE,
  MAX_NAMESPACE_LENGTH,
  sessionRedisKey,
  validateNamespace,
} from './keys.js';
export { type OpenSessionStoreOptions, openSessionStore } from './open-session-store.js';
export {
  createRedisSessionStore,
  DEFAULT_COMMAND_TIMEOUT_MS,
  type RedisClient,
  RedisSessionStore,
  type RedisSessionStoreOptions,
} from './redis-session-store.js';
export type { RedisMasterInfo, RedisServerInfo } from './server-info.js';
export { MAX_DATABASE, type ParsedRedisUrl, parseRedisUrl } from './url.js';
