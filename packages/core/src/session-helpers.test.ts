import { Buffer } from 'node:buffer';
import { DEFAULT_SESSION_LIMITS } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { approxJsonBytes, frozenDataCopy, frozenJsonCopy } from './json.js';
import {
  appendOutbox,
  approxSessionBytes,
  createOutboxEntry,
  createSession,
  expiresAtMs,
  sha256Hex,
} from './session-helpers.js';

// printf 'hello' | sha256sum
const HELLO_SHA256 = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

describe('session helpers', () => {
  it('createSession builds a frozen, valid session with defaults', () => {
    const s = createSession({
      key: 'k',
      tenantId: 'acme',
      flowId: 'f',
      nodeId: 'n',
      ttlSecs: 30,
      nowMs: 0,
    });
    expect(s.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(s).toMatchObject({
      key: 'k',
      cursor: { flowId: 'f', nodeId: 'n', waitReason: null, outboxSeq: 0 },
      meta: { tenantId: 'acme', teamId: null, userId: null, labels: {} },
      outbox: [],
      updatedAt: '1970-01-01T00:00:00.000Z',
      ttlSecs: 30,
    });
    expect(Object.isFrozen(s.meta)).toBe(true);
    expect('data' in s).toBe(false);
  });

  it('createSession carries data as a frozen copy, placed after the outbox', () => {
    const data = { step: 1, list: [1, 2] };
    const s = createSession({
      key: 'k',
      tenantId: 'acme',
      flowId: 'f',
      nodeId: 'n',
      ttlSecs: 0,
      data,
    });
    expect(s.data).toStrictEqual({ step: 1, list: [1, 2] });
    expect(s.data).not.toBe(data);
    expect(Object.isFrozen((s.data as { list: unknown[] }).list)).toBe(true);
    expect(Object.isFrozen(data)).toBe(false);
    expect(Object.keys(s)).toStrictEqual([
      'id',
      'key',
      'cursor',
      'meta',
      'outbox',
      'data',
      'updatedAt',
      'ttlSecs',
    ]);
    expect(() =>
      createSession({
        key: 'k',
        tenantId: 'acme',
        flowId: 'f',
        nodeId: 'n',
        ttlSecs: 0,
        data: { d: new Date() } as never,
      }),
    ).toThrow('session.data.d');
  });

  it('createSession rejects bad input with the helper name', () => {
    expect(() =>
      createSession({ key: 'k', tenantId: 'a:b', flowId: 'f', nodeId: 'n', ttlSecs: 1 }),
    ).toThrow('[@greentic/session-core] createSession: session.meta.tenantId');
    expect(() => createSession(null as never)).toThrow('input must be an object');
  });

  it('sha256Hex hashes strings as UTF-8 and bytes as given', () => {
    expect(sha256Hex('hello')).toBe(HELLO_SHA256);
    expect(sha256Hex(new TextEncoder().encode('hello'))).toBe(HELLO_SHA256);
    expect(() => sha256Hex(42 as never)).toThrow('payload must be a string or a Uint8Array');
  });

  it('createOutboxEntry and appendOutbox number entries from the cursor', () => {
    expect(createOutboxEntry(3, 'hello', 0)).toStrictEqual({
      seq: 3,
      payloadSha256: HELLO_SHA256,
      createdAt: '1970-01-01T00:00:00.000Z',
    });
    expect(() => createOutboxEntry(-1, 'x')).toThrow('seq must be a non-negative safe integer');
    expect(Object.isFrozen(createOutboxEntry(1, 'x', 0))).toBe(true);
    // A time no ISO-8601 UTC timestamp can name is invalid_input, not a RangeError.
    for (const nowMs of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      8.64e15 + 1,
      253402300800000,
      -62167219200001,
      -62167219201000.5,
      '0' as never,
    ]) {
      expect(() => createOutboxEntry(1, 'x', nowMs)).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      );
    }
    // The edges of 0000..9999, and fractions truncated toward zero as `Date` does.
    for (const nowMs of [
      253402300799999, 253402300799999.9, -62167219200000, -62167219200000.9, -1.5, 1.5,
    ]) {
      expect(createOutboxEntry(1, 'x', nowMs).createdAt).toBe(new Date(nowMs).toISOString());
    }
    expect(createOutboxEntry(1, 'x', -62167219200000).createdAt).toBe('0000-01-01T00:00:00.000Z');
    expect(createOutboxEntry(1, 'x', 253402300799999).createdAt).toBe('9999-12-31T23:59:59.999Z');
    const s = createSession({ key: 'k', tenantId: 'acme', flowId: 'f', nodeId: 'n', ttlSecs: 30 });
    const one = appendOutbox(s, 'hello', 1000);
    const two = appendOutbox(one, 'again', 2000);
    expect(s.outbox).toHaveLength(0);
    expect(two.cursor.outboxSeq).toBe(2);
    expect(two.outbox.map((e) => e.seq)).toStrictEqual([1, 2]);
    expect(two.outbox[0]?.payloadSha256).toBe(HELLO_SHA256);
    const full = { ...s, cursor: { ...s.cursor, outboxSeq: Number.MAX_SAFE_INTEGER } };
    expect(() => appendOutbox(full, 'x')).toThrow('cannot grow further');
  });

  it('expiresAtMs is Infinity for ttl 0', () => {
    expect(expiresAtMs(1000, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(expiresAtMs(1000, 2)).toBe(3000);
  });
});

describe('approximate sizes', () => {
  const ctx = { pkg: 'test', op: 'size' };
  const values: unknown[] = [
    'hello',
    42,
    null,
    { count: 3, seen: [1, 2, 3], name: 'Ada Lovelace' },
    { nested: { deeper: { list: ['a', 'bb', 'ccc', { k: true }] } } },
    Array.from({ length: 200 }, (_, i) => ({ id: i, text: `message number ${i}` })),
    { big: 'x'.repeat(50_000) },
  ];

  it('approxJsonBytes is within a factor of two of the real JSON size', () => {
    for (const v of values) {
      const real = Buffer.byteLength(JSON.stringify(v), 'utf8');
      const approx = approxJsonBytes(v);
      expect(approx, JSON.stringify(v).slice(0, 40)).toBeGreaterThanOrEqual(real / 2);
      expect(approx, JSON.stringify(v).slice(0, 40)).toBeLessThanOrEqual(real * 2 + 16);
    }
  });

  it("a validated copy's size, known from its copy, is what measuring the same value gives", () => {
    for (const v of values) {
      const measured = approxJsonBytes(structuredClone(v));
      expect(approxJsonBytes(frozenDataCopy(v, 'data', ctx, DEFAULT_SESSION_LIMITS))).toBe(
        measured,
      );
      expect(approxJsonBytes(frozenJsonCopy(v, 'v', ctx))).toBe(measured);
    }
  });

  it('measures a value frozen only on top again each time: what is inside may still change', () => {
    const inner = ['x'.repeat(2000)];
    const shallow = Object.freeze({ inner });
    const first = approxJsonBytes(shallow);
    inner.push('y'.repeat(100_000));
    expect(approxJsonBytes(shallow)).toBeGreaterThan(first + 100_000);
  });

  it('approxSessionBytes follows the data and the outbox, close to the session’s JSON size', () => {
    const base = { key: 'chat:1', tenantId: 'acme', flowId: 'f', nodeId: 'n', ttlSecs: 0 };
    const empty = createSession(base);
    const withData = createSession({ ...base, data: { text: 'y'.repeat(10_000) } });
    const withOutbox = appendOutbox(appendOutbox(withData, 'payload'), 'payload 2');
    const sizes = [empty, withData, withOutbox].map(approxSessionBytes);
    expect(sizes[1]).toBeGreaterThan((sizes[0] as number) + 10_000);
    expect(sizes[2]).toBeGreaterThan((sizes[1] as number) + 150);
    for (const s of [empty, withData, withOutbox]) {
      const real = Buffer.byteLength(JSON.stringify(s), 'utf8');
      expect(approxSessionBytes(s)).toBeGreaterThanOrEqual(real / 2);
      expect(approxSessionBytes(s)).toBeLessThanOrEqual(real * 2);
    }
  });
});
