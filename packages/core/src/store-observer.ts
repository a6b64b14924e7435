/**
 * What a backend wires once to be observable: hooks (a
 * {@link SessionEventEmitter}) and OpenTelemetry spans and metrics (a
 * {@link Telemetry}), around every store operation, without touching the
 * operations themselves. See the core README for the spans, metrics and
 * events, and the privacy rules.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { SessionError } from '@greentic/session-types';
import type { OpContext } from './context.js';
import {
  SessionEventEmitter,
  type SessionEventSource,
  type SessionStoreEventName,
  type SessionStoreListener,
} from './observe.js';
import type { SessionStore, TenantSessionStore, UpdateCasResult } from './session-store.js';
import {
  type Instruments,
  type ObservableLike,
  type ObservableResultLike,
  type SpanLike,
  Telemetry,
  type TelemetryAttributes,
} from './telemetry.js';

/** Where a store keeps its observer: `mutate` and tenant views find it there. */
export const STORE_OBSERVER: unique symbol = Symbol.for('greentic.session.observer') as never;

/** OpenTelemetry `SpanKind.CLIENT` and `SpanStatusCode.ERROR` (stable values of the API). */
const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

/** What a backend tells its observer about itself. */
export interface StoreObserverOptions {
  /** Package of the backend: the instrumentation scope and the package in error messages. */
  readonly pkg: string;
  /** `db.system.name`: `redis`, `memory`, … */
  readonly system: string;
  /** The store's `telemetry` option, validated here. */
  readonly telemetry: unknown;
  /** `db.namespace` (Redis: the database index as a string). */
  readonly dbNamespace?: string | undefined;
  /** `db.collection.name`: the store's key namespace, when it has one. */
  readonly collection?: string | undefined;
  /** `server.address`. */
  readonly serverAddress?: string | undefined;
  /** `server.port`. */
  readonly serverPort?: number | undefined;
  /** For errors in the options. */
  readonly ctx: OpContext;
}

/** Outcome attribute values (`greentic.session.outcome`). */
type Outcome = 'ok' | 'miss' | 'conflict' | 'error' | 'aborted';

/** An observable gauge of a store, and where it is registered now. */
interface Gauge {
  readonly name: string;
  readonly description: string;
  readonly read: () => number;
  callback?: (r: ObservableResultLike) => void;
  instrument?: ObservableLike;
  on?: Instruments;
}

/** One operation in flight, while it is observed. */
interface Pending {
  readonly instruments: Instruments | undefined;
  readonly span: SpanLike | undefined;
  readonly startedMs: number;
}

/** A `mutate` call in flight, while it is observed. */
export interface MutateObservation {
  /** Runs one attempt (its span is the parent of the store calls in it). */
  attempt<T>(attempt: number, body: () => Promise<T>): Promise<T>;
  /** Reports a retry: `attempt` is the one about to start. */
  retry(attempt: number, delayMs: number): void;
  /** Ends the call: `attempts` made, and the error it threw, if any. */
  end(attempts: number, outcome: 'ok' | 'missing' | 'error', error?: unknown): void;
}

const now = (): number => performance.now();

function keyHash(key: unknown): string | undefined {
  return typeof key === 'string'
    ? createHash('sha256').update(key).digest('hex').slice(0, 16)
    : undefined;
}

function tenantOf(opts: unknown): string | undefined {
  try {
    const t =
      typeof opts === 'object' && opts !== null
        ? (opts as { tenantId?: unknown }).tenantId
        : undefined;
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

function errorType(err: unknown): string {
  return SessionError.isInstance(err) ? err.code : '_OTHER';
}

/**
 * One store's hooks and telemetry. A backend creates it in its constructor
 * and calls {@link instrumentStore}; it reports what only it knows
 * (connection changes, expiries) through {@link StoreObserver.connection} and
 * {@link StoreObserver.expired}.
 */
export class StoreObserver implements SessionEventSource {
  /** The store's events. */
  readonly events: SessionEventEmitter;
  readonly #telemetry: Telemetry;
  readonly #system: string;
  #base: TelemetryAttributes;
  readonly #opAttrs = new Map<string, TelemetryAttributes>();
  readonly #outcomeAttrs = new Map<string, TelemetryAttributes>();
  readonly #spanPrefix: string;
  readonly #gauges: Gauge[] = [];

  /** @throws SessionError `invalid_input` for a bad `telemetry` option */
  constructor(options: StoreObserverOptions) {
    this.events = new SessionEventEmitter(options.pkg);
    this.#telemetry = new Telemetry(options.pkg, options.telemetry, options.ctx);
    this.#system = options.system;
    const base: TelemetryAttributes = { 'db.system.name': options.system };
    if (options.dbNamespace !== undefined) base['db.namespace'] = options.dbNamespace;
    if (options.collection !== undefined) base['db.collection.name'] = options.collection;
    if (options.serverAddress !== undefined) base['server.address'] = options.serverAddress;
    if (options.serverPort !== undefined) base['server.port'] = options.serverPort;
    this.#base = Object.freeze(base);
    this.#spanPrefix = options.collection ?? options.system;
    this.#telemetry.onChange = (next, previous) => this.#regauge(next, previous);
  }

  /** See {@link SessionEventSource.on}. */
  on<E extends SessionStoreEventName>(event: E, listener: SessionStoreListener<E>): () => void {
    return this.events.on(event, listener);
  }

  /**
   * Adds what is known once connected (server address and port, database
   * index): a backend creates its observer first, so that a bad `telemetry`
   * option throws before it opens anything.
   */
  describeServer(target: {
    readonly dbNamespace?: string | undefined;
    readonly serverAddress?: string | undefined;
    readonly serverPort?: number | undefined;
  }): void {
    const base: TelemetryAttributes = { ...this.#base };
    if (target.dbNamespace !== undefined) base['db.namespace'] = target.dbNamespace;
    if (target.serverAddress !== undefined) base['server.address'] = target.serverAddress;
    if (target.serverPort !== undefined) base['server.port'] = target.serverPort;
    this.#base = Object.freeze(base);
    this.#opAttrs.clear();
    this.#outcomeAttrs.clear();
  }

  /** Attributes of every span and metric of `operation`. */
  #attrs(operation: string): TelemetryAttributes {
    let a = this.#opAttrs.get(operation);
    if (a === undefined) {
      a = Object.freeze({ ...this.#base, 'db.operation.name': operation });
      this.#opAttrs.set(operation, a);
    }
    return a;
  }

  #withOutcome(operation: string, outcome: Outcome): TelemetryAttributes {
    const k = `${operation}\u0000${outcome}`;
    let a = this.#outcomeAttrs.get(k);
    if (a === undefined) {
      a = Object.freeze({ ...this.#attrs(operation), 'greentic.session.outcome': outcome });
      this.#outcomeAttrs.set(k, a);
    }
    return a;
  }

  /**
   * Whether operations need observing now: a provider is registered (or
   * given), or someone listens to `error`/`conflict`. False is the fast path.
   */
  watching(): boolean {
    return (
      this.#telemetry.current() !== undefined ||
      this.events.listens('error') ||
      this.events.listens('conflict')
    );
  }

  #begin(operation: string, key: unknown, opts: unknown): Pending | undefined {
    const instruments = this.#telemetry.current();
    if (
      instruments === undefined &&
      !this.events.listens('error') &&
      !this.events.listens('conflict')
    ) {
      return undefined;
    }
    let span: SpanLike | undefined;
    if (instruments?.tracer !== undefined) {
      // The shared frozen attributes unless an opt-in adds to them: the SDK
      // copies what it is given.
      let attributes = this.#attrs(operation);
      if (this.#telemetry.recordKeyHash || this.#telemetry.recordTenantId) {
        attributes = { ...attributes };
        const h = this.#telemetry.recordKeyHash ? keyHash(key) : undefined;
        if (h !== undefined) attributes['greentic.session.key_hash'] = h;
        const t = this.#telemetry.recordTenantId ? tenantOf(opts) : undefined;
        if (t !== undefined) attributes['greentic.session.tenant_id'] = t;
      }
      span = instruments.tracer.startSpan(
        `${operation} ${this.#spanPrefix}`,
        { kind: SPAN_KIND_CLIENT, attributes },
        instruments.api?.context.active(),
      );
    }
    return { instruments, span, startedMs: now() };
  }

  #succeed(p: Pending, operation: string, result: unknown): void {
    let outcome: Outcome = 'ok';
    if (result === null || result === false) outcome = 'miss';
    else if (operation === 'updateCas' && (result as UpdateCasResult).ok === false) {
      const { reason, current } = result as Extract<UpdateCasResult, { ok: false }>;
      outcome = 'conflict';
      p.span?.setAttribute('greentic.session.cas.conflict_reason', reason);
      p.instruments?.conflicts?.add(1, {
        ...this.#base,
        'greentic.session.cas.conflict_reason': reason,
      });
      this.events.emit('conflict', { operation: 'updateCas', reason, current });
    }
    this.#finish(p, operation, outcome);
  }

  #fail(p: Pending, operation: string, err: unknown): void {
    const type = errorType(err);
    if (p.span !== undefined) {
      p.span.setAttribute('error.type', type);
      // The code only: messages may name the session key.
      p.span.setStatus({ code: STATUS_ERROR, message: type });
    }
    p.instruments?.errors?.add(1, { ...this.#attrs(operation), 'error.type': type });
    if (p.instruments?.duration !== undefined) {
      p.instruments.duration.record((now() - p.startedMs) / 1000, {
        ...this.#withOutcome(operation, 'error'),
        'error.type': type,
      });
    }
    p.span?.end();
    if (SessionError.isInstance(err)) this.events.emit('error', { operation, error: err });
  }

  #finish(p: Pending, operation: string, outcome: Outcome): void {
    p.instruments?.duration?.record(
      (now() - p.startedMs) / 1000,
      this.#withOutcome(operation, outcome),
    );
    if (p.span !== undefined) {
      p.span.setAttribute('greentic.session.outcome', outcome);
      p.span.end();
    }
  }

  /**
   * Runs one store operation under observation: `call` starts it, `key` and
   * `opts` are its arguments (for the opt-in key hash and tenant id only).
   */
  observe<T>(operation: string, key: unknown, opts: unknown, call: () => Promise<T>): Promise<T> {
    const p = this.#begin(operation, key, opts);
    if (p === undefined) return call();
    let promise: Promise<T>;
    try {
      const api = p.instruments?.api;
      promise =
        p.span !== undefined && api != null
          ? api.context.with(api.trace.setSpan(api.context.active(), p.span), call)
          : call();
    } catch (err) {
      promise = Promise.reject(err);
    }
    return promise.then(
      (result) => {
        this.#succeed(p, operation, result);
        return result;
      },
      (err: unknown) => {
        this.#fail(p, operation, err);
        throw err;
      },
    );
  }

  /** Starts observing a `mutate` call, or undefined when nothing would record it. */
  mutate(key: unknown, tenantId: string | undefined): MutateObservation | undefined {
    const p = this.#begin('mutate', key, { tenantId });
    if (p === undefined && !this.events.listens('retry')) return undefined;
    return {
      attempt: <T>(attempt: number, body: () => Promise<T>): Promise<T> => {
        const api = p?.instruments?.api;
        const tracer = p?.instruments?.tracer;
        if (p?.span === undefined || tracer === undefined || api == null) return body();
        const parent = api.trace.setSpan(api.context.active(), p.span);
        const span = tracer.startSpan(
          `mutate.attempt ${this.#spanPrefix}`,
          {
            kind: SPAN_KIND_CLIENT,
            attributes: { ...this.#attrs('mutate.attempt'), 'greentic.session.attempt': attempt },
          },
          parent,
        );
        return api.context.with(api.trace.setSpan(parent, span), body).then(
          (r) => {
            span.end();
            return r;
          },
          (err: unknown) => {
            if (SessionError.isInstance(err)) {
              span.setAttribute('error.type', err.code);
              span.setStatus({ code: STATUS_ERROR, message: err.code });
            } else span.setAttribute('greentic.session.outcome', 'aborted');
            span.end();
            throw err;
          },
        );
      },
      retry: (attempt, delayMs) => {
        p?.span?.addEvent('retry', {
          'greentic.session.attempt': attempt,
          'greentic.session.delay_ms': delayMs,
        });
        this.events.emit('retry', { operation: 'mutate', attempt, delayMs });
      },
      end: (attempts, outcome, error) => {
        if (p === undefined) return;
        // What `fn` threw (not a SessionError) is the application's, not a
        // store error: the call is `aborted`, not failed.
        const ended = outcome === 'error' && !SessionError.isInstance(error) ? 'aborted' : outcome;
        p.instruments?.attempts?.record(attempts, {
          ...this.#base,
          'greentic.session.outcome': ended,
        });
        p.span?.setAttribute('greentic.session.attempts', attempts);
        if (ended === 'error') this.#fail(p, 'mutate', error);
        else
          this.#finish(
            p,
            'mutate',
            ended === 'ok' ? 'ok' : ended === 'aborted' ? 'aborted' : 'miss',
          );
      },
    };
  }

  /** Reports a connection change (Redis: ioredis `ready` / `close`). */
  connection(state: 'connected' | 'disconnected', cause?: Error): void {
    this.#telemetry.current()?.connections?.add(1, {
      ...this.#base,
      'greentic.session.connection.state': state,
    });
    if (state === 'connected') this.events.emit('connect', { backend: this.#system });
    else {
      this.events.emit(
        'disconnect',
        cause === undefined ? { backend: this.#system } : { backend: this.#system, cause },
      );
    }
  }

  /** Reports `count` expired sessions evicted. */
  expired(count: number): void {
    if (count === 0) return;
    this.#telemetry.current()?.expired?.add(count, this.#base);
    this.events.emit('expired', { count });
  }

  /** Whether anything records a connection error: then the backend builds the event. */
  listensToErrors(): boolean {
    return this.events.listens('error');
  }

  /** Reports an error outside any operation (a connection error). */
  error(operation: string, error: SessionError): void {
    this.#telemetry.current()?.errors?.add(1, {
      ...this.#attrs(operation),
      'error.type': error.code,
    });
    this.events.emit('error', { operation, error });
  }

  /**
   * An observable gauge read at each metric collection (memory: the number
   * of entries). Registered with the provider the store's telemetry uses.
   */
  gauge(name: string, description: string, read: () => number): void {
    this.#gauges.push({ name, description, read });
    // Resolves the instruments now, so the gauge reports before any operation.
    this.#regauge(this.#telemetry.current(), undefined);
  }

  #regauge(next: Instruments | undefined, _previous: Instruments | undefined): void {
    for (const g of this.#gauges) {
      if (g.on === next) continue;
      this.#dropGauge(g);
      if (next?.meter === undefined) continue;
      const instrument = next.meter.createObservableGauge(g.name, {
        description: g.description,
        unit: '{session}',
      });
      const callback = (r: ObservableResultLike) => r.observe(g.read(), this.#base);
      instrument.addCallback(callback);
      g.callback = callback;
      g.on = next;
      g.instrument = instrument;
    }
  }

  #dropGauge(g: Gauge): void {
    if (g.instrument !== undefined && g.callback !== undefined)
      g.instrument.removeCallback(g.callback);
    delete g.callback;
    delete g.instrument;
    delete g.on;
  }

  /** Unregisters gauges (the store closed). */
  close(): void {
    for (const g of this.#gauges) this.#dropGauge(g);
    this.#gauges.length = 0;
  }
}

/** The observer of a store or tenant view, when it has one (third-party stores may not). */
export function observerOf(store: SessionStore | TenantSessionStore): StoreObserver | undefined {
  const o = (store as { [STORE_OBSERVER]?: unknown })[STORE_OBSERVER];
  return o instanceof StoreObserver ? o : undefined;
}

type Method = (a?: unknown, b?: unknown, c?: unknown) => Promise<unknown>;

/**
 * The operations of a store that {@link instrumentStore} observes by default:
 * the `SessionStore` calls and the operator calls (`SessionAdmin`).
 */
export const OBSERVED_STORE_OPERATIONS: readonly string[] = Object.freeze([
  'get',
  'put',
  'updateCas',
  'delete',
  'touch',
  'listSessions',
  'countSessions',
  'purgeSessions',
]);

/**
 * Observes the named methods of `store`: each becomes an own property that
 * calls the class's method, through the observer only when a provider is
 * registered or a listener waits (otherwise it costs one check). Also sets
 * `store[STORE_OBSERVER]` so `mutate` and tenant views find it.
 *
 * @param store - the store, from its constructor
 * @param observer - its observer
 * @param operations - method names; the first argument is the key or the
 *   session, the last the options (for the opt-in key hash and tenant id).
 *   Methods the store lacks are skipped. @default OBSERVED_STORE_OPERATIONS
 */
export function instrumentStore(
  store: object,
  observer: StoreObserver,
  operations: readonly string[] = OBSERVED_STORE_OPERATIONS,
): void {
  Object.defineProperty(store, STORE_OBSERVER, { value: observer });
  const target = store as Record<string, Method>;
  for (const operation of operations) {
    const method = target[operation];
    if (typeof method !== 'function') continue;
    const optsAt = operation === 'touch' || operation === 'updateCas' ? 2 : 1;
    const wrapped = (a?: unknown, b?: unknown, c?: unknown): Promise<unknown> => {
      if (!observer.watching()) return method.call(store, a, b, c);
      return observer.observe(
        operation,
        typeof a === 'string' ? a : undefined,
        optsAt === 1 ? b : c,
        () => method.call(store, a, b, c),
      );
    };
    Object.defineProperty(store, operation, {
      value: wrapped,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}
