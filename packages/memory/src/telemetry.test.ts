import { createSession, mutate } from '@greentic/session-core';
import {
  createTelemetryHarness,
  describeStoreTelemetry,
} from '@greentic/session-test-suite/telemetry';
import { SessionError } from '@greentic/session-types';
import { metrics, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemorySessionStore } from './in-memory-session-store.js';

describeStoreTelemetry({
  name: 'InMemorySessionStore',
  system: 'memory',
  createStore: (telemetry) => new InMemorySessionStore({ telemetry }),
});

function session(key: string, ttlSecs: number) {
  return createSession({ key, tenantId: 'acme', flowId: 'f', nodeId: 'n', ttlSecs });
}

describe('InMemorySessionStore: memory-only telemetry', () => {
  afterEach(() => {
    trace.disable();
    metrics.disable();
  });

  it('reports expired sessions (sweep and on access) to expired listeners and the counter, and its size as a gauge', async () => {
    let nowMs = 1_000_000;
    const h = createTelemetryHarness();
    const store = new InMemorySessionStore({
      now: () => nowMs,
      sweepBatchSize: 2,
      telemetry: { tracerProvider: h.tracerProvider, meterProvider: h.meterProvider },
    });
    const expired: number[] = [];
    store.on('expired', (e) => expired.push(e.count));
    for (let i = 0; i < 4; i++) await store.put(session(`k${i}`, 1));
    await store.put(session('k4', 2));
    await store.put(session('forever', 0));
    expect(await h.total('greentic.session.memory.size', { 'db.system.name': 'memory' })).toBe(6);
    nowMs += 2000;
    // The lookup of k4 sweeps a batch of 2 (the earliest expiries) first, then evicts k4 on access.
    expect(await store.get('k4')).toBeNull();
    expect(expired).toEqual([2, 1]);
    expect(store.sweepExpired()).toBe(2);
    expect(expired).toEqual([2, 1, 2]);
    expect(await h.total('greentic.session.expired')).toBe(5);
    expect(await h.total('greentic.session.memory.size')).toBe(1);
    await store.close();
    // Closed (entries dropped): the callback is unregistered, so the gauge is
    // no longer read; the SDK keeps showing the last value it observed.
    expect(store.size).toBe(0);
    expect(await h.total('greentic.session.memory.size')).toBe(1);
    await h.shutdown();
  });

  it('uses the globally registered providers when no telemetry option is given, and stops when they are disabled', async () => {
    const h = createTelemetryHarness();
    const store = new InMemorySessionStore();
    await store.put(session('a', 0)); // nothing registered yet: not recorded
    expect(trace.setGlobalTracerProvider(h.tracerProvider)).toBe(true);
    expect(metrics.setGlobalMeterProvider(h.meterProvider)).toBe(true);
    await store.get('a');
    await mutate(store, 'a', (s) => ({ ...s, cursor: { ...s.cursor, nodeId: 'm' } }));
    const names = h.spans().map((s) => s.name);
    expect(names).toEqual([
      'get memory',
      'get memory',
      'updateCas memory',
      'mutate.attempt memory',
      'mutate memory',
    ]);
    expect(await h.total('db.client.operation.duration')).toBe(4);
    trace.disable();
    metrics.disable();
    await store.get('a');
    expect(h.spans()).toHaveLength(5);
    expect(await h.total('db.client.operation.duration')).toBe(4);
    await store.close();
    await h.shutdown();
  });

  it('telemetry: false records nothing even with global providers; hooks still work', async () => {
    const h = createTelemetryHarness();
    trace.setGlobalTracerProvider(h.tracerProvider);
    metrics.setGlobalMeterProvider(h.meterProvider);
    const store = new InMemorySessionStore({ telemetry: false });
    const conflicts: string[] = [];
    store.on('conflict', (e) => conflicts.push(e.reason));
    const s = session('b', 0);
    await store.put(s);
    await store.updateCas(s, 3);
    expect(conflicts).toEqual(['stale']);
    expect(h.spans()).toEqual([]);
    expect(await h.points()).toEqual([]);
    await store.close();
    await h.shutdown();
  });

  it('rejects a bad telemetry option with invalid_input', () => {
    const bad = [
      { tracerProvider: {} },
      { meterProvider: 'x' },
      { recordTenantId: 'yes' },
      { unknown: true },
      'on',
    ];
    for (const telemetry of bad) {
      let caught: unknown;
      try {
        new InMemorySessionStore({ telemetry: telemetry as never });
      } catch (err) {
        caught = err;
      }
      expect(SessionError.isInstance(caught) && caught.code).toBe('invalid_input');
    }
  });

  it('the opt-ins put a key hash and the tenant id of fenced calls on spans, never on metrics', async () => {
    const h = createTelemetryHarness();
    const store = new InMemorySessionStore({
      telemetry: {
        tracerProvider: h.tracerProvider,
        meterProvider: h.meterProvider,
        recordKeyHash: true,
        recordTenantId: true,
      },
    });
    await store.put(session('secret-key', 0));
    await store.get('secret-key', { tenantId: 'acme' });
    const get = h.spans().find((s) => s.attributes['db.operation.name'] === 'get');
    expect(get?.attributes['greentic.session.tenant_id']).toBe('acme');
    expect(get?.attributes['greentic.session.key_hash']).toMatch(/^[0-9a-f]{16}$/);
    for (const p of await h.points()) {
      expect(Object.keys(p.attributes)).not.toContain('greentic.session.tenant_id');
      expect(Object.keys(p.attributes)).not.toContain('greentic.session.key_hash');
    }
    await store.close();
    await h.shutdown();
  });
});
