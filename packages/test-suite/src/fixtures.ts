import { randomUUID } from 'node:crypto';
import { createOutboxEntry, createSession } from '@greentic/session-core';
import type { Session, SessionSnapshot } from '@greentic/session-types';

let counter = 0;

/** A key no other test uses. */
export function uniqueKey(prefix = 'k'): string {
  counter += 1;
  return `${prefix}:${randomUUID()}:${counter}`;
}

/** A tenant id no other test uses. */
export function uniqueTenant(prefix = 'tenant'): string {
  counter += 1;
  return `${prefix}-${randomUUID().slice(0, 8)}-${counter}`;
}

/** A valid, mutable session with labels and two outbox entries. */
export function sampleSession(
  overrides: { key?: string; tenantId?: string; ttlSecs?: number } = {},
): Session {
  const base: SessionSnapshot = createSession({
    key: overrides.key ?? uniqueKey(),
    tenantId: overrides.tenantId ?? uniqueTenant(),
    flowId: 'onboarding',
    nodeId: 'ask-name',
    waitReason: 'user_reply',
    teamId: 'support',
    userId: 'user-1',
    ttlSecs: overrides.ttlSecs ?? 3600,
    labels: {
      locale: 'en',
      nested: { list: [1, 'two', null, { deep: true }], empty: {} },
      none: [],
    },
  });
  const session = structuredClone(base) as Session;
  session.cursor.outboxSeq = 2;
  session.outbox = [createOutboxEntry(1, 'hello'), createOutboxEntry(2, 'how are you?')];
  return session;
}

/** A deep, mutable copy of a snapshot with a change applied. */
export function edit(session: SessionSnapshot | Session, change: (s: Session) => void): Session {
  const copy = structuredClone(session) as Session;
  change(copy);
  return copy;
}

/** Drops `updatedAt` so sessions compare on what the caller controls. */
export function withoutStamp(session: SessionSnapshot | Session): Omit<Session, 'updatedAt'> {
  const { updatedAt: _ignored, ...rest } = structuredClone(session) as Session;
  return rest;
}
