import { createOutboxEntry, createSession } from '@greentic/session-core';
import { prepareSessionWrite } from '@greentic/session-core/backend';
import type { SessionSnapshot } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeTail } from './codec.js';

const CTX = { pkg: '@greentic/session-redis', op: 'test' };
const AT = Date.UTC(2026, 10, 27, 12, 0, 0);

/** What the stored tail is defined as: the header fields, then one JSON.stringify. */
function reference(s: SessionSnapshot, ms: number): string {
  const body = JSON.stringify({
    key: s.key,
    cursor: s.cursor,
    meta: s.meta,
    outbox: s.outbox,
    data: s.data,
  });
  return `${s.ttlSecs}:${ms}:${s.meta.tenantId}:${s.id}:${body}`;
}

function snapshot(overrides: Record<string, unknown>): SessionSnapshot {
  const base = createSession({
    key: 'k:1',
    tenantId: 'acme',
    flowId: 'f',
    nodeId: 'n',
    ttlSecs: 60,
  });
  return prepareSessionWrite({ ...base, ...overrides }, CTX, AT);
}

describe('encodeTail', () => {
  const e1 = createOutboxEntry(1, 'one', AT);
  const e2 = createOutboxEntry(2, JSON.stringify({ text: 'two "quoted" \u2028' }), AT);
  const cases: Record<string, SessionSnapshot> = {
    'no data, no outbox': snapshot({}),
    'data and outbox': snapshot({ outbox: [e1, e2], data: { count: 1, s: 'a"b\\c\u0000' } }),
    'data null': snapshot({ data: null }),
    'an entry given as a plain copy': snapshot({ outbox: [{ ...e1 }, e2], data: [1, 'x'] }),
    'labels with odd text': snapshot({
      meta: { tenantId: 'acme', teamId: null, userId: 'u"1', labels: { 'a"b': { v: '\n' } } },
    }),
  };
  for (const [name, s] of Object.entries(cases)) {
    it(`is exactly one JSON.stringify of the session's fields: ${name}`, () => {
      expect(encodeTail(s, AT)).toBe(reference(s, AT));
      expect(encodeTail(s, AT + 1)).toBe(reference(s, AT + 1));
    });
  }

  it('reads back as the session it encoded', () => {
    const s = cases['data and outbox'] as SessionSnapshot;
    const got = decodeValue(`g1:3:${encodeTail(s, AT)}`, s.key, 'acme', CTX);
    expect(got?.cas).toBe(3);
    expect(got?.session).toStrictEqual(s);
  });
});
