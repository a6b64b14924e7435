/**
 * Hooks and telemetry of the Redis connection: what ioredis reports
 * (`ready`, `close`, `error`) becomes the store's `connect`, `disconnect` and
 * `error` events when it happens, not only as the `cause` of a later failed
 * operation.
 *
 * @packageDocumentation
 */
import { type StoreObserver, sessionError } from '@greentic/session-core/backend';
import type { RedisConnection } from './connection.js';
import { connectionReason, safeCause } from './errors.js';

const CTX = { pkg: '@greentic/session-redis', op: 'connection' } as const;

/** Where the store connects, for `server.address`, `server.port` and `db.namespace`. */
export interface ConnectionTarget {
  readonly serverAddress?: string;
  readonly serverPort?: number;
  readonly dbNamespace?: string;
}

/**
 * The server (the first seed node of a cluster; none behind Sentinel, where
 * the master moves) and the database index, from the client's options.
 */
export function connectionTarget(connection: RedisConnection): ConnectionTarget {
  const client = connection.client as unknown as {
    isCluster?: boolean;
    startupNodes?: readonly unknown[];
    options: { host?: unknown; port?: unknown; db?: unknown; sentinels?: unknown };
  };
  if (client.isCluster === true) {
    const first = client.startupNodes?.[0] as { host?: unknown; port?: unknown } | undefined;
    return {
      dbNamespace: '0',
      ...(typeof first?.host === 'string' ? { serverAddress: first.host } : {}),
      ...(typeof first?.port === 'number' ? { serverPort: first.port } : {}),
    };
  }
  const o = client.options;
  const db = typeof o.db === 'number' ? String(o.db) : '0';
  if (Array.isArray(o.sentinels) && o.sentinels.length > 0) return { dbNamespace: db };
  return {
    dbNamespace: db,
    ...(typeof o.host === 'string' ? { serverAddress: o.host } : {}),
    ...(typeof o.port === 'number' ? { serverPort: o.port } : {}),
  };
}

/**
 * Reports connection changes to `observer`: `connect` on `ready`,
 * `disconnect` on `close` after `ready` (once per lost connection, not per
 * failed reconnect), and each connection error as an `error` event
 * (`operation` `connection`, code `unavailable`, credentials redacted) on a
 * client the store opened. A caller's client keeps its own `error`
 * listeners: the store adds none there (an `error` listener would silence
 * ioredis's report of unhandled errors).
 *
 * @returns a function that removes the listeners
 */
export function watchConnection(connection: RedisConnection, observer: StoreObserver): () => void {
  const client = connection.client;
  let connected = client.status === 'ready';
  let lastError: Error | undefined;
  const onReady = (): void => {
    if (connected) return;
    connected = true;
    lastError = undefined;
    observer.connection('connected');
  };
  const onClose = (): void => {
    if (!connected) return;
    connected = false;
    observer.connection('disconnected', lastError);
  };
  const onError = (err: unknown): void => {
    const cause = safeCause(err);
    lastError = cause;
    observer.error(
      'connection',
      sessionError(
        'unavailable',
        CTX,
        `Redis connection error: ${cause.message}`,
        cause,
        connectionReason(cause),
      ),
    );
  };
  client.on('ready', onReady);
  client.on('close', onClose);
  if (connection.owned) client.on('error', onError);
  return () => {
    client.off('ready', onReady);
    client.off('close', onClose);
    client.off('error', onError);
  };
}
