import type { Cas, StoredSession } from '@greentic/session-types';
import { SessionError } from '@greentic/session-types';
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { mutate } from './mutate.js';
import { SessionEventEmitter } from './observe.js';
import { createSession } from './session-helpers.js';
import type { SessionInput, SessionStore, UpdateCasResult } from './session-store.js';
import { instrumentStore, observerOf, StoreObserver } from './store-observer.js';
import { createTenantView } from './tenant-view.js';
import { parseSession } from './validate.js';

const CTX = { pkg: 'toy', op: 'test' };

/**
 * A one-key store whose first `conflicts` updateCas calls lose as stale,
 * wired the way a backend author wires one: a StoreObserver and
 * instrumentStore in the constructor.
 */
class ToyStore implements SessionStore {
  stored: StoredSession | null;
  conflicts: number;
  readonly observer: StoreObserver;
  constructor(conflicts: number, telemetry: unknown = false) {
    this.stored = { session: createSession(SESSION), cas: 1 };
    this.conflicts = conflicts;
    this.observer = new StoreObserver({ pkg: 'toy', system: 'toy', telemetry, ctx: CTX });
    instrumentStore(this, this.observer, ['get', 'updateCas']);
  }
  async get(): Promise<StoredSession | null> {
    return this.stored;
  }
  async put(): Promise<Cas> {
    return 1;
  }
  async updateCas(session: SessionInput, expected: Cas): Promise<UpdateCasResult> {
    const stored = this.stored as StoredSession;
    if (this.conflicts > 0) {
      this.conflicts--;
      this.stored = { session: stored.session, cas: stored.cas + 1 };
      return { ok: false, current: stored.cas + 1, reason: 'stale' };
    }
    this.stored = { session: parseSession(session), cas: expected + 1 };
    return { ok: true, cas: expected + 1, session: this.stored.session };
  }
  async delete(): Promise<boolean> {
    return false;
  }
  async touch(): Promise<boolean> {
    return false;
  }
  forTenant(tenantId: string) {
    return createTenantView(this, tenantId);
  }
  async close(): Promise<void> {}
}

const SESSION = { key: 'k', tenantId: 'acme', flowId: 'f', nodeId: 'n', ttlSecs: 0 } as const;
const bump = (s: Parameters<Parameters<typeof mutate>[2]>[0]) => ({
  ...s,
  cursor: { ...s.cursor, nodeId: `${s.cursor.nodeId}+` },
});

describe('SessionEventEmitter', () => {
  it('calls listeners in order, and the returned function removes exactly that listener, once', () => {
    const e = new SessionEventEmitter();
    const seen: string[] = [];
    const offA = e.on('expired', (x) => seen.push(`a${x.count}`));
    e.on('expired', (x) => seen.push(`b${x.count}`));
    const offA2 = e.on('expired', (x) => seen.push(`c${x.count}`));
    e.emit('expired', { count: 1 });
    offA();
    offA();
    e.emit('expired', { count: 2 });
    offA2();
    e.emit('expired', { count: 3 });
    expect(seen).toEqual(['a1', 'b1', 'c1', 'b2', 'c2', 'b3']);
    expect(e.listens('expired')).toBe(true);
    expect(e.listens('error')).toBe(false);
  });

  it('a listener removed or added during an emit does not change that emit', () => {
    const e = new SessionEventEmitter();
    const seen: string[] = [];
    let offB: () => void = () => {};
    e.on('expired', () => {
      seen.push('a');
      offB();
      e.on('expired', () => seen.push('late'));
    });
    offB = e.on('expired', () => seen.push('b'));
    e.emit('expired', { count: 1 });
    expect(seen).toEqual(['a', 'b']);
  });

  it('rejects unknown events and non-function listeners with invalid_input', () => {
    const e = new SessionEventEmitter('@greentic/x');
    for (const [event, listener] of [
      ['nope', () => {}],
      ['__proto__', () => {}],
      [42, () => {}],
      ['error', null],
      ['error', 'fn'],
    ] as const) {
      let caught: unknown;
      try {
        e.on(event as 'error', listener as never);
      } catch (err) {
        caught = err;
      }
      expect(SessionError.isInstance(caught) && caught.code).toBe('invalid_input');
      expect((caught as Error).message).toMatch(/^\[@greentic\/x\] on: /);
    }
  });
});

describe('mutate and the store observer', () => {
  afterEach(() => {
    trace.disable();
  });

  it('reports each retry with its attempt number and backoff, through the store or a tenant view', async () => {
    for (const through of ['store', 'view'] as const) {
      const store = new ToyStore(3);
      const retries: [number, number][] = [];
      const conflicts: string[] = [];
      store.observer.on('retry', (e) => retries.push([e.attempt, e.delayMs]));
      store.observer.on('conflict', (e) => conflicts.push(e.reason));
      const target = through === 'store' ? store : store.forTenant('acme');
      expect(observerOf(target)).toBe(store.observer);
      const r = await mutate(target, 'k', bump, {
        baseDelayMs: 10,
        maxDelayMs: 25,
        random: () => 0.5,
      });
      expect(r?.attempts).toBe(4);
      // Backoff caps 10, 20, 25 (doubling, capped), times the jitter 0.5.
      expect(retries).toEqual([
        [2, 5],
        [3, 10],
        [4, 12],
      ]);
      expect(conflicts).toEqual(['stale', 'stale', 'stale']);
    }
  });

  it('a mutate that gives up reports its conflict error to the store error listeners', async () => {
    const store = new ToyStore(10);
    const errors: [string, string][] = [];
    store.observer.on('error', (e) => errors.push([e.operation, e.error.code]));
    const err = await mutate(store, 'k', bump, { maxAttempts: 2, baseDelayMs: 0 }).catch(
      (e: unknown) => e,
    );
    expect(SessionError.isInstance(err) && err.code).toBe('conflict');
    expect(errors).toEqual([['mutate', 'conflict']]);
  });

  it('on a third-party store without an observer, mutate still reports to the global tracer', async () => {
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    const plain = new ToyStore(1);
    // A store built without instrumentStore: strip what the toy added.
    const third: SessionStore = {
      get: () => ToyStore.prototype.get.call(plain),
      put: async () => 1,
      updateCas: (s, e) => ToyStore.prototype.updateCas.call(plain, s, e),
      delete: async () => false,
      touch: async () => false,
      forTenant: (t) => createTenantView(third, t),
      close: async () => {},
    };
    expect(observerOf(third)).toBeUndefined();
    const r = await mutate(third, 'k', bump, { baseDelayMs: 0 });
    expect(r?.attempts).toBe(2);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual([
      'mutate.attempt other',
      'mutate.attempt other',
      'mutate other',
    ]);
    const m = spans[2];
    expect(m?.attributes).toMatchObject({
      'db.system.name': 'other',
      'db.operation.name': 'mutate',
      'greentic.session.attempts': 2,
      'greentic.session.outcome': 'ok',
    });
    expect(m?.events.map((e) => e.name)).toEqual(['retry']);
  });

  it('with telemetry off and no listener, operations run the class method directly', async () => {
    const store = new ToyStore(0);
    expect(store.observer.watching()).toBe(false);
    const got = await store.get();
    expect(got?.cas).toBe(1);
    store.observer.on('error', () => {});
    expect(store.observer.watching()).toBe(true);
  });
});
