import { SessionError } from '@greentic/session-types';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionError } from './context.js';
import { mutate } from './mutate.js';
import { createSession } from './session-helpers.js';
import type { SessionStore } from './session-store.js';
import { instrumentStore, StoreObserver } from './store-observer.js';
import { createTenantView } from './tenant-view.js';

class Reader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const CTX = { pkg: 'toy', op: 'test' };
const SESSION = createSession({ key: 'k', tenantId: 'acme', flowId: 'f', nodeId: 'n', ttlSecs: 0 });

function sdk() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const reader = new Reader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const points = async (name: string) => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === name)
      .flatMap((m) => m.dataPoints as DataPoint<unknown>[])
      .map((p) => ({ attributes: p.attributes, value: p.value }));
  };
  return { exporter, telemetry: { tracerProvider, meterProvider }, meterProvider, points };
}

/** A store whose `get` answers what the test scripts; `touch` always fails. */
function toyStore(observer: StoreObserver) {
  const store = {
    async get(key: string) {
      if (key === 'boom') throw sessionError('timeout', CTX, 'no reply');
      if (key === 'raw') throw new TypeError('not a SessionError');
      return key === 'missing' ? null : { session: SESSION, cas: 1 };
    },
    async put() {
      return 1;
    },
    async updateCas() {
      return { ok: true as const, cas: 2, session: SESSION };
    },
    async delete() {
      return false;
    },
    touch() {
      throw sessionError('unavailable', CTX, 'closed');
    },
    forTenant(t: string) {
      return createTenantView(store as unknown as SessionStore, t);
    },
    async close() {},
  };
  instrumentStore(store, observer, ['get', 'updateCas', 'touch', 'notAMethod']);
  return store as unknown as SessionStore;
}

describe('StoreObserver with the SDK', () => {
  afterEach(() => {
    metrics.disable();
  });

  it('records outcomes, error types (SessionError codes, _OTHER otherwise) and synchronous throws', async () => {
    const o = sdk();
    const observer = new StoreObserver({
      pkg: 'toy',
      system: 'toy',
      telemetry: o.telemetry,
      ctx: CTX,
    });
    observer.describeServer({ dbNamespace: '3', serverAddress: 'db.local', serverPort: 7000 });
    const store = toyStore(observer);
    const errors: string[] = [];
    observer.on('error', (e) => errors.push(`${e.operation}:${e.error.code}`));
    expect(await store.get('k')).not.toBeNull();
    expect(await store.get('missing')).toBeNull();
    await expect(store.get('boom')).rejects.toMatchObject({ code: 'timeout' });
    await expect(store.get('raw')).rejects.toBeInstanceOf(TypeError);
    await expect(store.touch('k')).rejects.toMatchObject({ code: 'unavailable' });
    const spans = o.exporter.getFinishedSpans();
    expect(
      spans.map((s) => [
        s.name,
        s.attributes['greentic.session.outcome'] ?? s.attributes['error.type'],
      ]),
    ).toEqual([
      ['get toy', 'ok'],
      ['get toy', 'miss'],
      ['get toy', 'timeout'],
      ['get toy', '_OTHER'],
      ['touch toy', 'unavailable'],
    ]);
    expect(spans[0]?.attributes).toMatchObject({
      'db.namespace': '3',
      'server.address': 'db.local',
      'server.port': 7000,
    });
    expect(errors).toEqual(['get:timeout', 'touch:unavailable']);
    const errorPoints = await o.points('greentic.session.errors');
    expect(errorPoints.map((p) => [p.attributes['error.type'], p.value]).sort()).toEqual([
      ['_OTHER', 1],
      ['timeout', 1],
      ['unavailable', 1],
    ]);
  });

  it('reports connection changes, connection errors and expiries as events and metrics', async () => {
    const o = sdk();
    const observer = new StoreObserver({
      pkg: 'toy',
      system: 'toy',
      telemetry: o.telemetry,
      ctx: CTX,
    });
    const seen: string[] = [];
    observer.on('connect', (e) => seen.push(`connect:${e.backend}`));
    observer.on('disconnect', (e) => seen.push(`disconnect:${e.cause?.message ?? '-'}`));
    observer.on('expired', (e) => seen.push(`expired:${e.count}`));
    observer.on('error', (e) => seen.push(`error:${e.operation}`));
    observer.connection('connected');
    observer.connection('disconnected', new Error('ECONNRESET'));
    observer.connection('disconnected');
    observer.expired(0);
    observer.expired(3);
    observer.error('connection', sessionError('unavailable', CTX, 'refused'));
    expect(observer.listensToErrors()).toBe(true);
    expect(seen).toEqual([
      'connect:toy',
      'disconnect:ECONNRESET',
      'disconnect:-',
      'expired:3',
      'error:connection',
    ]);
    const changes = await o.points('greentic.session.connection.changes');
    expect(
      changes.map((p) => [p.attributes['greentic.session.connection.state'], p.value]).sort(),
    ).toEqual([
      ['connected', 1],
      ['disconnected', 2],
    ]);
    expect((await o.points('greentic.session.expired'))[0]?.value).toBe(3);
    expect((await o.points('greentic.session.errors'))[0]?.attributes['db.operation.name']).toBe(
      'connection',
    );
  });

  it('a gauge follows the global meter provider as it is registered and replaced, and stops at close', async () => {
    const observer = new StoreObserver({
      pkg: 'toy',
      system: 'toy',
      telemetry: undefined,
      ctx: CTX,
    });
    let size = 5;
    observer.gauge('toy.size', 'entries', () => size);
    const first = sdk();
    metrics.setGlobalMeterProvider(first.meterProvider);
    expect(observer.watching()).toBe(true);
    expect((await first.points('toy.size'))[0]?.value).toBe(5);
    metrics.disable();
    const second = sdk();
    metrics.setGlobalMeterProvider(second.meterProvider);
    size = 7;
    expect(observer.watching()).toBe(true);
    expect((await second.points('toy.size'))[0]?.value).toBe(7);
    observer.close();
    size = 9;
    expect((await second.points('toy.size'))[0]?.value).toBe(7);
  });

  it('mutate whose fn throws an application error ends as aborted, not as a store error', async () => {
    const o = sdk();
    const observer = new StoreObserver({
      pkg: 'toy',
      system: 'toy',
      telemetry: o.telemetry,
      ctx: CTX,
    });
    const store = toyStore(observer);
    const errors: unknown[] = [];
    observer.on('error', (e) => errors.push(e));
    const err = await mutate(store, 'k', () => {
      throw new RangeError('app bug');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect(errors).toEqual([]);
    const m = o.exporter
      .getFinishedSpans()
      .find((s) => s.attributes['db.operation.name'] === 'mutate');
    expect(m?.attributes['greentic.session.outcome']).toBe('aborted');
    expect(m?.status.code).toBe(0);
    expect(await o.points('greentic.session.errors')).toEqual([]);
    const attempts = await o.points('greentic.session.mutate.attempts');
    expect(attempts[0]?.attributes['greentic.session.outcome']).toBe('aborted');
    // A mutate on a key without a session is a miss.
    const none = await mutate(store, 'missing', (s) => s);
    expect(none).toBeNull();
    const last = o.exporter.getFinishedSpans().at(-1);
    expect(last?.attributes).toMatchObject({
      'db.operation.name': 'mutate',
      'greentic.session.outcome': 'miss',
    });
    expect(SessionError.isInstance(err)).toBe(false);
  });
});
