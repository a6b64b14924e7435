// Type-level checks (run by `tsc` in `pnpm typecheck`; vitest runs the few
// runtime assertions): what an application writes with only core and a
// backend installed compiles without casts.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  appendOutbox,
  CAS_INITIAL,
  CAS_NONE,
  type Cas,
  createSession,
  isValidSession,
  type MutateResult,
  mutate,
  type OutboxEntry,
  type Session,
  type SessionError,
  SessionErrorCode,
  type SessionInput,
  type SessionSnapshot,
  type SessionStore,
  type StoredSession,
} from '../src/index.js';

const snapshot = createSession({
  key: 'k1',
  tenantId: 'acme',
  flowId: 'onboarding',
  nodeId: 'ask-name',
  ttlSecs: 600,
});

/** What a user writes to move a flow on: spread the snapshot, change a part. */
function nextStep(current: SessionSnapshot, nodeId: string) {
  return { ...current, cursor: { ...current.cursor, nodeId } };
}

/** A user's read-only helper, typed the way the README recommends. */
function describeSession(s: SessionSnapshot): string {
  return `${s.meta.tenantId}/${s.key}@${s.cursor.nodeId}`;
}

describe('a returned snapshot as the next write input', () => {
  it('get → spread → put and updateCas compile without a cast', () => {
    // Never called: only the types of these lines matter.
    const flow = async (store: SessionStore) => {
      const got = await store.get('k1');
      if (got === null) return;
      expectTypeOf(got).toEqualTypeOf<StoredSession>();
      const next = nextStep(got.session, 'ask-email');
      expectTypeOf(next).toExtend<SessionInput>();
      expectTypeOf(next).toExtend<Parameters<SessionStore['put']>[0]>();
      await store.put(next);
      await store.updateCas({ ...got.session, ttlSecs: 60 }, got.cas);
      await store.put(appendOutbox(got.session, 'hello'));
      const entry: OutboxEntry = { seq: 1, payloadSha256: 'a'.repeat(64), createdAt: '' };
      await store.put({ ...got.session, outbox: [...got.session.outbox, entry] });
      // Bot state: replace it, or build on the frozen copy that came back.
      await store.put({ ...got.session, data: { step: 2 } });
      await store.put({ ...got.session, data: { previous: got.session.data ?? null, step: 3 } });
    };
    expectTypeOf(flow).returns.resolves.toBeVoid();
    const next = nextStep(snapshot, 'ask-email');
    expect(isValidSession(next)).toBe(true);
    expect(next.cursor.nodeId).toBe('ask-email');
  });

  it('mutate accepts a function that returns a spread of the snapshot it got', () => {
    const run = (store: SessionStore) =>
      mutate(store, 'k1', (current) => ({ ...current, ttlSecs: 120 }));
    expectTypeOf(run).returns.resolves.toEqualTypeOf<MutateResult | null>();
  });

  it('a helper typed SessionSnapshot takes both a snapshot and a plain Session', () => {
    const plain: Session = {
      id: snapshot.id,
      key: snapshot.key,
      cursor: { ...snapshot.cursor },
      meta: { ...snapshot.meta, labels: {} },
      outbox: [],
      updatedAt: snapshot.updatedAt,
      ttlSecs: snapshot.ttlSecs,
    };
    expectTypeOf<StoredSession['session']>().toExtend<SessionSnapshot>();
    expectTypeOf<Session>().toExtend<SessionSnapshot>();
    expectTypeOf<Session>().toExtend<SessionInput>();
    expect(describeSession(snapshot)).toBe('acme/k1@ask-name');
    expect(describeSession(plain)).toBe('acme/k1@ask-name');
  });

  it('a helper typed Session does not take a snapshot: its arrays are read-only (type helpers SessionSnapshot)', () => {
    // Kept as a check so the README's advice changes if the types ever do.
    expectTypeOf<StoredSession['session']>().not.toExtend<Session>();
    expectTypeOf<StoredSession['session']['outbox']>().toEqualTypeOf<
      readonly Readonly<OutboxEntry>[]
    >();
  });
});

describe('names an application needs come from core', () => {
  it('re-exports the model, CAS constants and SessionError from types', () => {
    expect(CAS_NONE).toBe(0);
    expect(CAS_INITIAL).toBe(1);
    expect(SessionErrorCode.TenantMismatch).toBe('tenant_mismatch');
    expectTypeOf<SessionError['code']>().toEqualTypeOf<
      (typeof SessionErrorCode)[keyof typeof SessionErrorCode]
    >();
    expectTypeOf<Cas>().toEqualTypeOf<number>();
  });
});
