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

  it('writes entries core did not validate through JSON.stringify, whatever they hold', () => {
    // encodeTail is public: a caller may hand it a snapshot it built itself.
    const s = cases['data and outbox'] as SessionSnapshot;
    const odd = { seq: 1.5, payloadSha256: 'a"},{"seq":9', createdAt: '\u2028', extra: [NaN] };
    const given = { ...s, outbox: [e1, odd, { ...e2 }] } as unknown as SessionSnapshot;
    const tail = encodeTail(given, AT);
    expect(tail).toBe(reference(given, AT));
    // Values JSON leaves out, in a snapshot built by hand: still valid JSON, still the same text.
    for (const hand of [
      { ...s, outbox: [e1, undefined] },
      { ...s, data: () => 1 },
      { ...s, cursor: undefined },
      { ...s, outbox: { 0: e1, length: 1 } },
    ] as unknown as SessionSnapshot[]) {
      const text = encodeTail(hand, AT);
      expect(text).toBe(reference(hand, AT));
      expect(() => JSON.parse(text.slice(text.indexOf('{')))).not.toThrow();
    }
    expect(JSON.parse(tail.slice(tail.indexOf('{'))).outbox).toStrictEqual([
      { ...e1 },
      { seq: 1.5, payloadSha256: 'a"},{"seq":9', createdAt: '\u2028', extra: [null] },
      { ...e2 },
    ]);
  });

  it('matches one JSON.stringify on random sessions', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const texts = ['', 'a', 'é"\\', '\u2028\n', '{"x":1}', 'grammy:1:2'];
    const json = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.4) return pick([0, -1.25, 1e21, pick(texts), true, null]);
      if (r < 0.7) return Array.from({ length: Math.floor(random() * 3) }, () => json(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 3) }, () => [pick(texts), json(depth + 1)]),
      );
    };
    for (let i = 0; i < 200; i++) {
      let seq = 0;
      const outbox = Array.from({ length: Math.floor(random() * 5) }, () => {
        const e = createOutboxEntry(++seq, pick(texts), AT + Math.floor(random() * 1e12));
        return random() < 0.3 ? { ...e } : e;
      });
      const s = snapshot({
        outbox,
        ...(random() < 0.8 ? { data: json(0) } : {}),
        cursor: {
          flowId: pick(texts) || 'f',
          nodeId: 'n',
          waitReason: pick([null, 'w"x']),
          outboxSeq: seq,
        },
        meta: { tenantId: 'acme', teamId: null, userId: null, labels: { [pick(texts)]: json(1) } },
      });
      expect(encodeTail(s, AT)).toBe(reference(s, AT));
    }
  });

  it('reads back as the session it encoded', () => {
    const s = cases['data and outbox'] as SessionSnapshot;
    const got = decodeValue(`g1:3:${encodeTail(s, AT)}`, s.key, 'acme', CTX);
    expect(got?.cas).toBe(3);
    expect(got?.session).toStrictEqual(s);
  });
});
