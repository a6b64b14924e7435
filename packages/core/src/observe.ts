import type { Cas, SessionError } from '@greentic/session-types';
import { invalidInput } from './context.js';
import type { UpdateCasConflictReason } from './session-store.js';

/** The operations a store reports on (a backend may add its own, e.g. `connection`). */
export type SessionOperationName =
  | 'get'
  | 'put'
  | 'updateCas'
  | 'delete'
  | 'touch'
  | 'mutate'
  | (string & {});

/** An operation failed; `error` is what the caller got. */
export interface SessionErrorEvent {
  /** The operation (`get`, `put`, … `mutate`; `connection` for a Redis connection error). */
  readonly operation: SessionOperationName;
  /** The error, with its `code`; its message may name the session key. */
  readonly error: SessionError;
}

/** `updateCas` wrote nothing: a compare-and-set conflict (a result, not an error). */
export interface SessionConflictEvent {
  readonly operation: 'updateCas';
  /** Why nothing was written. */
  readonly reason: UpdateCasConflictReason;
  /** The stored cas (0 when missing). */
  readonly current: Cas;
}

/** `mutate` (and the turn runner, which runs on it) lost a conflict and will try again. */
export interface SessionRetryEvent {
  readonly operation: 'mutate';
  /** The attempt about to start: 2 for the first retry. */
  readonly attempt: number;
  /** Backoff before it, in milliseconds. */
  readonly delayMs: number;
}

/** The backend's connection became ready (Redis: ioredis `ready`). */
export interface SessionConnectEvent {
  /** `db.system.name` of the backend, e.g. `redis`. */
  readonly backend: string;
}

/** The backend's connection was lost (Redis: ioredis `close` after `ready`). */
export interface SessionDisconnectEvent {
  readonly backend: string;
  /** The last connection error, credentials redacted, when there was one. */
  readonly cause?: Error;
}

/** Expired sessions were evicted (memory: by the sweep or on access). */
export interface SessionExpiredEvent {
  /** How many were evicted. */
  readonly count: number;
}

/** Every event a store reports, by name. */
export interface SessionStoreEventMap {
  error: SessionErrorEvent;
  conflict: SessionConflictEvent;
  retry: SessionRetryEvent;
  connect: SessionConnectEvent;
  disconnect: SessionDisconnectEvent;
  expired: SessionExpiredEvent;
}

/** Name of a store event. */
export type SessionStoreEventName = keyof SessionStoreEventMap;

/** A listener of event `E`. */
export type SessionStoreListener<E extends SessionStoreEventName> = (
  event: SessionStoreEventMap[E],
) => void;

/** A store (or any object) that reports {@link SessionStoreEventMap} events. */
export interface SessionEventSource {
  /**
   * Calls `listener` on every `event` until the returned function is called.
   * Listeners run synchronously inside the operation; one that throws never
   * breaks it (the error is reported with `process.emitWarning`).
   *
   * @returns a function that removes the listener (idempotent)
   * @throws SessionError `invalid_input` for an unknown event or a listener that is not a function
   */
  on<E extends SessionStoreEventName>(event: E, listener: SessionStoreListener<E>): () => void;
}

const EVENT_NAMES: readonly SessionStoreEventName[] = [
  'error',
  'conflict',
  'retry',
  'connect',
  'disconnect',
  'expired',
];

/** Warning type of a throwing listener (`process.on('warning')` sees it). */
export const LISTENER_WARNING_TYPE = 'GreenticSessionListenerWarning';

function reportListenerError(event: string, err: unknown): void {
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : typeof err;
  const message = `a ${JSON.stringify(event)} listener of a greentic session store threw (${detail}); the operation went on`;
  const proc = (globalThis as { process?: { emitWarning?: (m: string, o: object) => void } })
    .process;
  try {
    if (typeof proc?.emitWarning === 'function') {
      proc.emitWarning(message, { type: LISTENER_WARNING_TYPE, code: 'GREENTIC_SESSION_LISTENER' });
    } else console.warn(message);
  } catch {
    // Reporting must never throw into the store.
  }
}

/**
 * The events of one store: a few typed listener lists. With no listener an
 * `emit` is one array-length check; a store skips building events nobody
 * listens to with {@link SessionEventEmitter.listens}.
 *
 * A listener runs synchronously where the event happens. What it throws is
 * caught and reported with `process.emitWarning` (type
 * {@link LISTENER_WARNING_TYPE}); the operation and the other listeners go on.
 */
export class SessionEventEmitter implements SessionEventSource {
  readonly #listeners: { [E in SessionStoreEventName]: SessionStoreListener<E>[] } = {
    error: [],
    conflict: [],
    retry: [],
    connect: [],
    disconnect: [],
    expired: [],
  };
  readonly #pkg: string;

  /** @param pkg - package named in error messages, e.g. `@greentic/session-memory` */
  constructor(pkg = '@greentic/session-core') {
    this.#pkg = pkg;
  }

  /** See {@link SessionEventSource.on}. */
  on<E extends SessionStoreEventName>(event: E, listener: SessionStoreListener<E>): () => void {
    if (typeof event !== 'string' || !EVENT_NAMES.includes(event)) {
      throw invalidEvent(this.#pkg, `event must be one of ${EVENT_NAMES.join(', ')}`);
    }
    if (typeof listener !== 'function') {
      throw invalidEvent(this.#pkg, 'listener must be a function');
    }
    // Copy on write: an emit in progress keeps the list it started with.
    const add = [...this.#listeners[event], listener];
    (this.#listeners as Record<string, unknown[]>)[event] = add;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const list = this.#listeners[event] as unknown[];
      const i = list.indexOf(listener);
      if (i >= 0) {
        (this.#listeners as Record<string, unknown[]>)[event] = [
          ...list.slice(0, i),
          ...list.slice(i + 1),
        ];
      }
    };
  }

  /** Whether anyone listens to `event`. */
  listens(event: SessionStoreEventName): boolean {
    return this.#listeners[event].length > 0;
  }

  /** Calls every listener of `event`; a throwing listener is reported, never rethrown. */
  emit<E extends SessionStoreEventName>(event: E, payload: SessionStoreEventMap[E]): void {
    const list = this.#listeners[event];
    if (list.length === 0) return;
    for (const listener of list) {
      try {
        (listener as SessionStoreListener<E>)(payload);
      } catch (err) {
        reportListenerError(event, err);
      }
    }
  }
}

function invalidEvent(pkg: string, detail: string): SessionError {
  return invalidInput({ pkg, op: 'on' }, detail);
}
