import {
  describeValue,
  invalidInput,
  type OpContext,
  readOptions,
} from '@greentic/session-core/backend';
import type { SessionLimits } from '@greentic/session-types';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { RedisSessionStore } from './redis-session-store.js';

const CTX: OpContext = { pkg: '@greentic/session-redis', op: 'openSessionStore' };

/** Options of {@link openSessionStore}; query parameters of the URL take precedence. */
export interface OpenSessionStoreOptions {
  /** See {@link RedisSessionStoreOptions.namespace}. @default 'greentic:session' */
  namespace?: string;
  /** See {@link RedisSessionStoreOptions.commandTimeoutMs}. @default 1000 */
  commandTimeoutMs?: number;
  /** See {@link RedisSessionStoreOptions.redisOptions}. */
  redisOptions?: RedisOptions;
  /** See {@link RedisSessionStoreOptions.clusterOptions}. */
  clusterOptions?: ClusterOptions;
  /** See {@link RedisSessionStoreOptions.limits}. */
  limits?: Partial<SessionLimits>;
}

const KNOWN = [
  'namespace',
  'commandTimeoutMs',
  'redisOptions',
  'clusterOptions',
  'limits',
] as const;

/**
 * Opens a {@link RedisSessionStore} from a URL; this is what core's
 * `createSessionStore('redis://…')` calls. The store owns its client and
 * closes it in `close()`.
 *
 * @param url - `redis://`, `rediss://`, `redis+cluster://` or `rediss+cluster://` URL
 * @param options - defaults for what the URL does not say
 * @throws SessionError `invalid_input` for a malformed URL or option
 */
export function openSessionStore(
  url: string,
  options: OpenSessionStoreOptions = {},
): RedisSessionStore {
  const given = readOptions(options, KNOWN, CTX, 'options');
  if (typeof url !== 'string') {
    throw invalidInput(CTX, `url must be a string, got ${describeValue(url)}`);
  }
  return new RedisSessionStore({ ...given, url });
}
