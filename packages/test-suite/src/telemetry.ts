/**
 * Hooks and OpenTelemetry tests every first-party backend runs, with the real
 * SDK: an in-memory span exporter and a metric reader collected on demand.
 * A subpath of its own (`@greentic/session-test-suite/telemetry`) so the
 * conformance suite never loads the SDK.
 *
 * @packageDocumentation
 */
import {
  hasSessionAdmin,
  mutate,
  type SessionStore,
  type SessionStoreEventMap,
} from '@greentic/session-core';
import { SessionError } from '@greentic/session-types';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  type DataPoint,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleSession, uniqueKey, uniqueTenant } from './fixtures.js';

/** A metric reader the test collects from when it wants. */
class TestMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** One collected data point of one metric. */
export interface CollectedPoint {
  readonly metric: string;
  readonly attributes: Record<string, unknown>;
  /** A counter's or gauge's value; a histogram's `{ count, sum }`. */
  readonly value: unknown;
}

/** SDK providers wired to in-memory exporters. */
export interface TelemetryHarness {
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  /** Both providers, as a store's `telemetry` option. */
  readonly telemetry: { tracerProvider: BasicTracerProvider; meterProvider: MeterProvider };
  /** Spans ended so far. */
  spans(): ReadableSpan[];
  /** Every data point of every metric now. */
  points(): Promise<CollectedPoint[]>;
  /** Data points of one metric, optionally only those whose attributes include `where`. */
  pointsOf(metric: string, where?: Record<string, unknown>): Promise<CollectedPoint[]>;
  /** Sum of a counter's values, or of a histogram's counts (or sums with `field: 'sum'`). */
  total(metric: string, where?: Record<string, unknown>, field?: 'count' | 'sum'): Promise<number>;
  shutdown(): Promise<void>;
}

let contextManager: AsyncLocalStorageContextManager | undefined;

/**
 * Creates SDK providers (not registered globally) with in-memory exporters,
 * and registers the async-hooks context manager once (as the Node SDK does),
 * so spans nest.
 */
export function createTelemetryHarness(): TelemetryHarness {
  if (contextManager === undefined) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const reader = new TestMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const points = async (): Promise<CollectedPoint[]> => {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const out: CollectedPoint[] = [];
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const p of metric.dataPoints as DataPoint<unknown>[]) {
          out.push({
            metric: metric.descriptor.name,
            attributes: { ...p.attributes },
            value: p.value,
          });
        }
      }
    }
    return out;
  };
  const matches = (p: CollectedPoint, where: Record<string, unknown>) =>
    Object.entries(where).every(([k, v]) => p.attributes[k] === v);
  const pointsOf = async (metric: string, where: Record<string, unknown> = {}) =>
    (await points()).filter((p) => p.metric === metric && matches(p, where));
  return {
    tracerProvider,
    meterProvider,
    telemetry: { tracerProvider, meterProvider },
    spans: () => exporter.getFinishedSpans(),
    points,
    pointsOf,
    total: async (metric, where = {}, field = 'count') => {
      let sum = 0;
      for (const p of await pointsOf(metric, where)) {
        sum +=
          typeof p.value === 'number' ? p.value : ((p.value as Record<string, number>)[field] ?? 0);
      }
      return sum;
    },
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** Every string in every attribute of every span (and span event) and metric point. */
export async function recordedStrings(h: TelemetryHarness): Promise<string[]> {
  const out: string[] = [];
  const add = (attrs: Record<string, unknown> | undefined) => {
    for (const [k, v] of Object.entries(attrs ?? {})) out.push(k, String(v));
  };
  for (const s of h.spans()) {
    out.push(s.name, s.status.message ?? '');
    add(s.attributes);
    for (const e of s.events) add(e.attributes);
  }
  for (const p of await h.points()) add(p.attributes);
  return out;
}

/** Options of {@link describeStoreTelemetry}. */
export interface DescribeStoreTelemetryOptions {
  /** Backend name, the describe title. */
  name: string;
  /** `db.system.name` the backend reports. */
  system: string;
  /** A fresh store reporting to `telemetry` (the store's `telemetry` option); closed by the suite. */
  createStore(telemetry: {
    tracerProvider: BasicTracerProvider;
    meterProvider: MeterProvider;
  }): SessionStore | Promise<SessionStore>;
  /** Attributes every span of the backend carries (server address, db.namespace…). */
  expectedAttributes?: Record<string, unknown>;
  /** Strings no attribute may contain (a password in the URL…). */
  secrets?: readonly string[];
  /** Concurrent `mutate` writers of one key. @default 8 */
  writers?: number;
}

type Events = { [E in keyof SessionStoreEventMap]: SessionStoreEventMap[E][] };

function collectEvents(store: SessionStore): Events {
  const events: Events = {
    error: [],
    conflict: [],
    retry: [],
    connect: [],
    disconnect: [],
    expired: [],
  };
  expect(typeof store.on).toBe('function');
  for (const name of Object.keys(events) as (keyof Events)[]) {
    store.on?.(name, (e) => (events[name] as unknown[]).push(e));
  }
  return events;
}

/**
 * Spans, metrics and hooks of every operation, exact conflict and retry
 * counts under concurrent `mutate`, errors with their code, and no session
 * content, key, tenant or secret in any attribute.
 */
export function describeStoreTelemetry(options: DescribeStoreTelemetryOptions): void {
  const { system } = options;
  describe(`${options.name}: telemetry and hooks`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0)) await c();
    });
    async function open(): Promise<{ store: SessionStore; h: TelemetryHarness }> {
      const h = createTelemetryHarness();
      const store = await options.createStore({
        tracerProvider: h.tracerProvider,
        meterProvider: h.meterProvider,
      });
      cleanups.push(async () => {
        await store.close();
        await h.shutdown();
      });
      return { store, h };
    }

    it('every operation emits one client span with the database attributes and a duration by outcome', async () => {
      const { store, h } = await open();
      const session = sampleSession();
      const { key } = session;
      expect(await store.put(session)).toBe(1);
      const got = await store.get(key);
      expect(got?.cas).toBe(1);
      expect(await store.get(uniqueKey())).toBeNull();
      expect((await store.updateCas(session, 1)).ok).toBe(true);
      expect(await store.touch(key, 60)).toBe(true);
      expect(await store.delete(key)).toBe(true);
      expect(await store.delete(key)).toBe(false);

      const spans = h.spans();
      expect(spans.map((s) => s.attributes['db.operation.name'])).toEqual([
        'put',
        'get',
        'get',
        'updateCas',
        'touch',
        'delete',
        'delete',
      ]);
      for (const s of spans) {
        expect(s.kind).toBe(2); // CLIENT
        expect(s.name.startsWith(`${s.attributes['db.operation.name']} `)).toBe(true);
        expect(s.attributes['db.system.name']).toBe(system);
        expect(s.attributes).toMatchObject(options.expectedAttributes ?? {});
        expect(s.status.code).toBe(0); // UNSET: no error
      }
      expect(spans.map((s) => s.attributes['greentic.session.outcome'])).toEqual([
        'ok',
        'ok',
        'miss',
        'ok',
        'ok',
        'ok',
        'miss',
      ]);
      const duration = 'db.client.operation.duration';
      expect(await h.total(duration, { 'db.operation.name': 'get' })).toBe(2);
      expect(
        await h.total(duration, { 'db.operation.name': 'get', 'greentic.session.outcome': 'miss' }),
      ).toBe(1);
      expect(await h.total(duration, { 'db.operation.name': 'delete' })).toBe(2);
      for (const op of ['put', 'updateCas', 'touch']) {
        expect(await h.total(duration, { 'db.operation.name': op, 'db.system.name': system })).toBe(
          1,
        );
      }
      expect(await h.total(duration, {}, 'sum')).toBeGreaterThan(0);
    });

    it('the operator calls (list, count, purge) are observed like the other operations, tenant not recorded', async () => {
      const { store, h } = await open();
      expect(hasSessionAdmin(store)).toBe(true);
      if (!hasSessionAdmin(store)) return;
      const tenantId = uniqueTenant();
      await store.put(sampleSession({ tenantId }));
      await store.listSessions({ tenantId });
      expect(await store.countSessions({ tenantId })).toBe(1);
      expect((await store.purgeSessions({ tenantId })).deleted).toBe(1);
      const ops = ['listSessions', 'countSessions', 'purgeSessions'];
      const spans = h
        .spans()
        .filter((s) => ops.includes(String(s.attributes['db.operation.name'])));
      // A listing may take several pages on a backend that bounds each call.
      expect(new Set(spans.map((s) => s.attributes['db.operation.name']))).toEqual(new Set(ops));
      for (const s of spans) {
        expect(s.attributes['db.system.name']).toBe(system);
        expect(JSON.stringify(s.attributes)).not.toContain(tenantId);
      }
      const duration = 'db.client.operation.duration';
      expect(await h.total(duration, { 'db.operation.name': 'purgeSessions' })).toBe(1);
    });

    it('updateCas conflicts are counted by reason, reported to conflict listeners, and are not errors', async () => {
      const { store, h } = await open();
      const events = collectEvents(store);
      const session = sampleSession();
      await store.put(session);
      const stale = await store.updateCas(session, 7);
      const missing = await store.updateCas(sampleSession(), 1);
      await store.delete(session.key);
      await store.put(sampleSession({ key: session.key, tenantId: session.meta.tenantId }));
      const replaced = await store.updateCas(session, 1);
      expect([stale, missing, replaced].map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
        'stale',
        'missing',
        'replaced',
      ]);
      expect(events.conflict).toEqual([
        { operation: 'updateCas', reason: 'stale', current: 1 },
        { operation: 'updateCas', reason: 'missing', current: 0 },
        { operation: 'updateCas', reason: 'replaced', current: 1 },
      ]);
      expect(events.error).toEqual([]);
      const c = 'greentic.session.cas.conflicts';
      for (const reason of ['stale', 'missing', 'replaced']) {
        expect(await h.total(c, { 'greentic.session.cas.conflict_reason': reason })).toBe(1);
      }
      const conflictSpans = h
        .spans()
        .filter((s) => s.attributes['greentic.session.outcome'] === 'conflict');
      expect(
        conflictSpans.map((s) => s.attributes['greentic.session.cas.conflict_reason']),
      ).toEqual(['stale', 'missing', 'replaced']);
      expect(conflictSpans.every((s) => s.status.code === 0)).toBe(true);
      expect(await h.total('greentic.session.errors')).toBe(0);
    });

    it('concurrent mutate: every conflict, retry and attempt is counted exactly', async () => {
      const { store, h } = await open();
      const events = collectEvents(store);
      const writers = options.writers ?? 8;
      const session = sampleSession();
      await store.put(session);
      const results = await Promise.all(
        Array.from({ length: writers }, (_, i) =>
          mutate(
            store,
            session.key,
            async (current) => {
              // Yield so the writers interleave between get and updateCas.
              await new Promise((r) => setImmediate(r));
              return { ...current, cursor: { ...current.cursor, nodeId: `n${i}` } };
            },
            { maxAttempts: 1000, baseDelayMs: 0, maxDelayMs: 1 },
          ),
        ),
      );
      const attempts = results.map((r) => r?.attempts ?? 0);
      const total = attempts.reduce((a, b) => a + b, 0);
      const retries = total - writers;
      // Every write landed once: the cas counts them.
      expect((await store.get(session.key))?.cas).toBe(1 + writers);
      expect(retries).toBeGreaterThan(0);
      expect(events.retry).toHaveLength(retries);
      expect(events.retry.every((e) => e.operation === 'mutate' && e.attempt >= 2)).toBe(true);
      expect(events.conflict).toHaveLength(retries);
      expect(events.conflict.every((e) => e.reason === 'stale')).toBe(true);
      expect(
        await h.total('greentic.session.cas.conflicts', {
          'greentic.session.cas.conflict_reason': 'stale',
        }),
      ).toBe(retries);
      expect(await h.total('greentic.session.mutate.attempts', {}, 'count')).toBe(writers);
      expect(await h.total('greentic.session.mutate.attempts', {}, 'sum')).toBe(total);
      const spans = h.spans();
      const mutateSpans = spans.filter((s) => s.attributes['db.operation.name'] === 'mutate');
      expect(mutateSpans).toHaveLength(writers);
      expect(mutateSpans.map((s) => s.attributes['greentic.session.attempts']).sort()).toEqual(
        [...attempts].sort(),
      );
      expect(
        mutateSpans.reduce((n, s) => n + s.events.filter((e) => e.name === 'retry').length, 0),
      ).toBe(retries);
      const attemptSpans = spans.filter(
        (s) => s.attributes['db.operation.name'] === 'mutate.attempt',
      );
      expect(attemptSpans).toHaveLength(total);
      // Each attempt's get and updateCas are children of its attempt span.
      const attemptIds = new Set(attemptSpans.map((s) => s.spanContext().spanId));
      const updates = spans.filter((s) => s.attributes['db.operation.name'] === 'updateCas');
      expect(updates).toHaveLength(total);
      expect(updates.every((s) => attemptIds.has(s.parentSpanContext?.spanId ?? ''))).toBe(true);
    });

    it('an error is recorded with its SessionError code on the span, the error counter and the error hook', async () => {
      const { store, h } = await open();
      const events = collectEvents(store);
      const err = await store.get('').catch((e: unknown) => e);
      expect(SessionError.isInstance(err) && err.code).toBe('invalid_input');
      const owner = sampleSession();
      await store.put(owner);
      const intruder = sampleSession({ key: owner.key });
      const mismatch = await store.put(intruder).catch((e: unknown) => e);
      expect(SessionError.isInstance(mismatch) && mismatch.code).toBe('tenant_mismatch');
      expect(events.error.map((e) => [e.operation, e.error.code])).toEqual([
        ['get', 'invalid_input'],
        ['put', 'tenant_mismatch'],
      ]);
      expect(events.error[0]?.error).toBe(err);
      const failed = h.spans().filter((s) => s.status.code === 2);
      expect(
        failed.map((s) => [s.attributes['db.operation.name'], s.attributes['error.type']]),
      ).toEqual([
        ['get', 'invalid_input'],
        ['put', 'tenant_mismatch'],
      ]);
      // The status message is the code only: error messages may name the key.
      expect(failed.map((s) => s.status.message)).toEqual(['invalid_input', 'tenant_mismatch']);
      expect(await h.total('greentic.session.errors', { 'error.type': 'invalid_input' })).toBe(1);
      expect(
        await h.total('greentic.session.errors', {
          'error.type': 'tenant_mismatch',
          'db.operation.name': 'put',
        }),
      ).toBe(1);
      expect(
        await h.total('db.client.operation.duration', {
          'greentic.session.outcome': 'error',
          'error.type': 'tenant_mismatch',
        }),
      ).toBe(1);
    });

    it('no span or metric attribute holds a key, a tenant id, session contents or a secret', async () => {
      const { store, h } = await open();
      const marker = `marker-${uniqueKey()}`;
      const tenant = uniqueTenant('tenant-secret');
      const session = { ...sampleSession({ tenantId: tenant }), data: { note: marker } };
      session.meta.labels = { ...session.meta.labels, hidden: marker };
      const { key } = session;
      await store.put(session);
      const view = store.forTenant(tenant);
      await view.get(key);
      await view.updateCas({ ...session }, 1);
      await mutate(view, key, (s) => ({ ...s, cursor: { ...s.cursor, nodeId: 'next' } }));
      await store.touch(key, 30, { tenantId: tenant });
      await store.put(sampleSession({ key })).catch(() => undefined); // tenant_mismatch names the key
      await store.get(`${key}\u0000`).catch(() => undefined);
      await store.delete(key, { tenantId: tenant });
      expect(h.spans().length).toBeGreaterThanOrEqual(9);
      const strings = await recordedStrings(h);
      for (const secret of [key, tenant, marker, ...(options.secrets ?? [])]) {
        expect(strings.filter((s) => s.includes(secret))).toEqual([]);
      }
    });

    it('a listener that throws never breaks an operation; the others still run; it is reported as a process warning', async () => {
      const { store } = await open();
      const seen: string[] = [];
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      process.on('warning', onWarning);
      try {
        store.on?.('conflict', () => {
          throw new Error('listener bug');
        });
        store.on?.('conflict', (e) => seen.push(e.reason));
        store.on?.('error', () => {
          throw new Error('error listener bug');
        });
        const session = sampleSession();
        await store.put(session);
        expect(await store.updateCas(session, 5)).toEqual({
          ok: false,
          current: 1,
          reason: 'stale',
        });
        const err = await store.touch('', 1).catch((e: unknown) => e);
        expect(SessionError.isInstance(err) && err.code).toBe('invalid_input');
        expect(seen).toEqual(['stale']);
        await new Promise((r) => setImmediate(r));
        expect(warnings.map((w) => w.name)).toEqual([
          'GreenticSessionListenerWarning',
          'GreenticSessionListenerWarning',
        ]);
        expect(warnings[0]?.message).toContain('listener bug');
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('on() validates its arguments, and the function it returns removes the listener', async () => {
      const { store } = await open();
      const on = store.on?.bind(store);
      expect(on).toBeDefined();
      if (on === undefined) return;
      expect(() => on('nope' as 'error', () => {})).toThrow(/event must be one of/);
      expect(() => on('error', 'x' as never)).toThrow(/listener must be a function/);
      const seen: unknown[] = [];
      const off = on('conflict', (e) => seen.push(e));
      const session = sampleSession();
      await store.put(session);
      await store.updateCas(session, 9);
      off();
      off();
      await store.updateCas(session, 9);
      expect(seen).toHaveLength(1);
    });
  });
}
