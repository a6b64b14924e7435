/**
 * OpenTelemetry, optional: `@opentelemetry/api` is an optional peer
 * dependency. It is looked up once, synchronously, the first time a store
 * with telemetry is created; when it is not installed nothing else happens.
 * Per operation, the only cost without a registered provider is one read of
 * the API's global registry (`globalThis[Symbol.for('opentelemetry.js.api.1')]`,
 * shared by every copy of the API): while it holds no tracer or meter
 * provider, no span is started and no metric recorded.
 *
 * The types below are the few members used, so this package's declarations
 * never import `@opentelemetry/api` (an application without it still
 * type-checks); the SDK's `TracerProvider` and `MeterProvider` fit them.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import { describeValue, invalidInput, type OpContext } from './context.js';
import { readOptions } from './validate.js';

/** Span or metric attributes. */
export type TelemetryAttributes = Record<string, string | number | boolean>;

/** The members of an OpenTelemetry `Span` the stores use. */
export interface SpanLike {
  /** Sets one attribute. */
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** Sets the status (`2` = error). */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Adds a span event. */
  addEvent(name: string, attributes?: TelemetryAttributes): unknown;
  /** Ends the span. */
  end(): void;
}

/** The members of an OpenTelemetry `Tracer` the stores use. */
export interface TracerLike {
  /** Starts a span, a child of the span in `context` when given. */
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: TelemetryAttributes },
    context?: unknown,
  ): SpanLike;
}

/** An OpenTelemetry `TracerProvider` (for example the SDK's `BasicTracerProvider`). */
export interface TracerProviderLike {
  /** The tracer of an instrumentation scope. */
  getTracer(name: string, version?: string): TracerLike;
}

/** The members of an OpenTelemetry `Histogram` the stores use. */
export interface HistogramLike {
  /** Records one value. */
  record(value: number, attributes?: TelemetryAttributes): void;
}

/** The members of an OpenTelemetry `Counter` the stores use. */
export interface CounterLike {
  /** Adds to the counter. */
  add(value: number, attributes?: TelemetryAttributes): void;
}

/** What an observable instrument's callback gets. */
export interface ObservableResultLike {
  /** Reports the current value. */
  observe(value: number, attributes?: TelemetryAttributes): void;
}

/** The members of an OpenTelemetry observable instrument the stores use. */
export interface ObservableLike {
  /** Registers a callback run at each collection. */
  addCallback(callback: (result: ObservableResultLike) => void): void;
  /** Unregisters a callback. */
  removeCallback(callback: (result: ObservableResultLike) => void): void;
}

/** The members of an OpenTelemetry `Meter` the stores use. */
export interface MeterLike {
  /** Creates a histogram. */
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string; advice?: object },
  ): HistogramLike;
  /** Creates a counter. */
  createCounter(name: string, options?: { description?: string; unit?: string }): CounterLike;
  /** Creates an observable gauge. */
  createObservableGauge(
    name: string,
    options?: { description?: string; unit?: string },
  ): ObservableLike;
}

/** An OpenTelemetry `MeterProvider` (for example the SDK's `MeterProvider`). */
export interface MeterProviderLike {
  /** The meter of an instrumentation scope. */
  getMeter(name: string, version?: string): MeterLike;
}

/**
 * The `telemetry` option of a store. Omitted: the globally registered
 * providers, when `@opentelemetry/api` is installed. `false`: none at all
 * (no lookup, no span, no metric; hooks still work).
 */
export interface SessionTelemetryOptions {
  /** Traces go here instead of the global provider. */
  tracerProvider?: TracerProviderLike | undefined;
  /** Metrics go here instead of the global provider. */
  meterProvider?: MeterProviderLike | undefined;
  /**
   * Put the tenant id of fenced calls (`opts.tenantId`, tenant views) on
   * spans as `greentic.session.tenant_id`. Never on metrics. @default false
   */
  recordTenantId?: boolean | undefined;
  /**
   * Put a hash of the session key (first 16 hex digits of its SHA-256) on
   * spans of `get`, `delete`, `touch` and `mutate` as
   * `greentic.session.key_hash`. The key itself is never recorded. @default false
   */
  recordKeyHash?: boolean | undefined;
}

/** The few parts of `@opentelemetry/api` used to nest spans. */
export interface OtelApi {
  /** `context` of the API. */
  readonly context: {
    /** The active context. */
    active(): unknown;
    /** Runs `fn` with `ctx` active. */
    with<T>(ctx: unknown, fn: () => T): T;
  };
  /** `trace` of the API. */
  readonly trace: {
    /** `ctx` with `span` as its active span. */
    setSpan(ctx: unknown, span: SpanLike): unknown;
    /** The global tracer provider. */
    getTracerProvider(): TracerProviderLike;
  };
  /** `metrics` of the API. */
  readonly metrics: {
    /** The global meter provider. */
    getMeterProvider(): MeterProviderLike;
  };
}

const REGISTRY = Symbol.for('opentelemetry.js.api.1');

interface Registry {
  trace?: unknown;
  metrics?: unknown;
}

let api: OtelApi | null | undefined;

/**
 * `@opentelemetry/api` when it is installed, else null; looked up once.
 * `createRequire` keeps this synchronous in an ES module, and bundlers leave
 * it alone (the API must then be resolvable at run time, as any peer).
 */
export function loadOtelApi(): OtelApi | null {
  if (api === undefined) {
    try {
      api = createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
    } catch {
      api = null;
    }
  }
  return api;
}

/** Explicit bucket boundaries in seconds, from the database client semantic conventions. */
const DURATION_BUCKETS_SECS = [
  0.00001, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10,
];

/** The instruments of one (tracer provider, meter provider) pair. */
export interface Instruments {
  readonly api: OtelApi | null;
  readonly tracer: TracerLike | undefined;
  readonly meter: MeterLike | undefined;
  readonly duration: HistogramLike | undefined;
  readonly conflicts: CounterLike | undefined;
  readonly errors: CounterLike | undefined;
  readonly attempts: HistogramLike | undefined;
  readonly connections: CounterLike | undefined;
  readonly expired: CounterLike | undefined;
}

function buildInstruments(
  scope: string,
  tracerProvider: TracerProviderLike | undefined,
  meterProvider: MeterProviderLike | undefined,
): Instruments {
  const tracer = tracerProvider?.getTracer(scope);
  const meter = meterProvider?.getMeter(scope);
  return {
    api: loadOtelApi(),
    tracer,
    meter,
    duration: meter?.createHistogram('db.client.operation.duration', {
      description: 'Duration of session store operations.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECS },
    }),
    conflicts: meter?.createCounter('greentic.session.cas.conflicts', {
      description: 'updateCas calls that wrote nothing, by reason (missing, stale, replaced).',
      unit: '{conflict}',
    }),
    errors: meter?.createCounter('greentic.session.errors', {
      description: 'Operations that threw a SessionError, by error.type (the SessionError code).',
      unit: '{error}',
    }),
    attempts: meter?.createHistogram('greentic.session.mutate.attempts', {
      description: 'get → updateCas attempts per mutate call (1 = no conflict).',
      unit: '{attempt}',
      advice: { explicitBucketBoundaries: [1, 2, 3, 4, 6, 8, 12, 16, 32] },
    }),
    connections: meter?.createCounter('greentic.session.connection.changes', {
      description: 'Connection state changes, by greentic.session.connection.state.',
      unit: '{change}',
    }),
    expired: meter?.createCounter('greentic.session.expired', {
      description: 'Expired sessions evicted by the store (memory: sweep and lazy eviction).',
      unit: '{session}',
    }),
  };
}

function asProvider(value: unknown, method: string): unknown {
  return typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)[method] === 'function'
    ? value
    : undefined;
}

const TELEMETRY_OPTIONS = [
  'tracerProvider',
  'meterProvider',
  'recordTenantId',
  'recordKeyHash',
] as const;

/**
 * Where one store's telemetry goes: off, the global providers (looked up
 * while they change), or the providers the application gave.
 */
export class Telemetry {
  /** Tenant ids on spans (opt-in). */
  readonly recordTenantId: boolean;
  /** Key hashes on spans (opt-in). */
  readonly recordKeyHash: boolean;
  readonly #scope: string;
  readonly #off: boolean;
  readonly #explicit: boolean;
  readonly #tracerProvider: TracerProviderLike | undefined;
  readonly #meterProvider: MeterProviderLike | undefined;
  #instruments: Instruments | undefined;
  #seenTrace: unknown;
  #seenMetrics: unknown;
  /** Called with the new instruments when they change (observable gauges re-register). */
  onChange:
    | ((next: Instruments | undefined, previous: Instruments | undefined) => void)
    | undefined;

  /**
   * @param scope - instrumentation scope name (the backend's package)
   * @param value - the store's `telemetry` option
   * @param ctx - for errors
   * @throws SessionError `invalid_input` for a bad option
   */
  constructor(scope: string, value: unknown, ctx: OpContext) {
    this.#scope = scope;
    if (value === false) {
      this.#off = true;
      this.#explicit = false;
      this.recordTenantId = false;
      this.recordKeyHash = false;
      return;
    }
    const o = value === undefined ? {} : readOptions(value, TELEMETRY_OPTIONS, ctx, 'telemetry');
    const check = (v: unknown, method: string, field: string) => {
      if (
        v !== undefined &&
        (typeof v !== 'object' ||
          v === null ||
          typeof (v as Record<string, unknown>)[method] !== 'function')
      ) {
        throw invalidInput(
          ctx,
          `telemetry.${field} must have a ${method} method, got ${describeValue(v)}`,
        );
      }
    };
    check(o.tracerProvider, 'getTracer', 'tracerProvider');
    check(o.meterProvider, 'getMeter', 'meterProvider');
    for (const flag of ['recordTenantId', 'recordKeyHash'] as const) {
      if (o[flag] !== undefined && typeof o[flag] !== 'boolean') {
        throw invalidInput(
          ctx,
          `telemetry.${flag} must be a boolean, got ${describeValue(o[flag])}`,
        );
      }
    }
    this.recordTenantId = o.recordTenantId === true;
    this.recordKeyHash = o.recordKeyHash === true;
    this.#tracerProvider = o.tracerProvider as TracerProviderLike | undefined;
    this.#meterProvider = o.meterProvider as MeterProviderLike | undefined;
    this.#explicit = this.#tracerProvider !== undefined || this.#meterProvider !== undefined;
    this.#off = false;
    if (!this.#explicit) loadOtelApi();
  }

  /** The instruments to use now, or undefined when nothing would record. */
  current(): Instruments | undefined {
    if (this.#off) return undefined;
    if (this.#explicit) {
      if (this.#instruments === undefined)
        this.#set(this.#build(this.#tracerProvider, this.#meterProvider));
      return this.#instruments;
    }
    const registry = (globalThis as Record<symbol, Registry | undefined>)[REGISTRY];
    if (registry === undefined) return undefined;
    const t = registry.trace;
    const m = registry.metrics;
    if (t === this.#seenTrace && m === this.#seenMetrics) return this.#instruments;
    return this.#refresh(t, m);
  }

  #refresh(t: unknown, m: unknown): Instruments | undefined {
    this.#seenTrace = t;
    this.#seenMetrics = m;
    const otel = loadOtelApi();
    // Without a copy of the API of our own (an application that bundled
    // its copy), the registry's entries are the providers themselves.
    const tracerProvider =
      t === undefined ? undefined : (otel?.trace.getTracerProvider() ?? asProvider(t, 'getTracer'));
    const meterProvider =
      m === undefined ? undefined : (otel?.metrics.getMeterProvider() ?? asProvider(m, 'getMeter'));
    this.#set(
      tracerProvider === undefined && meterProvider === undefined
        ? undefined
        : this.#build(
            tracerProvider as TracerProviderLike | undefined,
            meterProvider as MeterProviderLike | undefined,
          ),
    );
    return this.#instruments;
  }

  #build(
    tracerProvider: TracerProviderLike | undefined,
    meterProvider: MeterProviderLike | undefined,
  ): Instruments {
    return buildInstruments(this.#scope, tracerProvider, meterProvider);
  }

  #set(next: Instruments | undefined): void {
    const previous = this.#instruments;
    this.#instruments = next;
    this.onChange?.(next, previous);
  }
}
