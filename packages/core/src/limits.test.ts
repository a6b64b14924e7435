import { DEFAULT_SESSION_LIMITS, SessionError } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { frozenJsonCopy } from './json.js';
import { createOutboxEntry, createSession } from './session-helpers.js';
import { prepareSessionWrite, resolveSessionLimits } from './validate.js';

const ctx = { pkg: '@greentic/session-test', op: 'check' };

function withLabels(labels: unknown, outbox: unknown[] = []) {
  const s = structuredClone(
    createSession({ key: 'k', tenantId: 't', flowId: 'f', nodeId: 'n', ttlSecs: 0, nowMs: 0 }),
  );
  return { ...s, meta: { ...s.meta, labels }, outbox };
}

function rejection(fn: () => unknown): SessionError {
  try {
    fn();
  } catch (err) {
    if (SessionError.isInstance(err)) return err;
    throw err;
  }
  throw new Error('expected a SessionError, got a result');
}

describe('default size limits (issue 10, defect 2)', () => {
  it('rejects labels with a million keys with invalid_input, before copying them', () => {
    const labels: Record<string, number> = {};
    for (let i = 0; i < 1_000_000; i++) labels[`k${i}`] = i;
    const err = rejection(() => prepareSessionWrite(withLabels(labels), ctx, 0));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toBe(
      '[@greentic/session-test] check: session.meta.labels exceeds the limit of 10000 label values (object keys and array elements)',
    );
  }, 60_000);

  it('rejects a 200 MB label string with invalid_input', () => {
    const huge = 'x'.repeat(200_000_000);
    const err = rejection(() => prepareSessionWrite(withLabels({ huge }), ctx, 0));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toBe(
      '[@greentic/session-test] check: session.meta.labels.huge exceeds the limit of 1048576 bytes of JSON',
    );
  }, 60_000);

  it('rejects a sparse array of length 2^32 - 1 without walking it', () => {
    const err = rejection(() =>
      prepareSessionWrite(withLabels({ a: new Array(2 ** 32 - 1) }), ctx, 0),
    );
    expect(err.message).toContain('session.meta.labels.a exceeds the limit of 10000 label values');
  });

  it('counts nested keys and elements together', () => {
    // 1 key + 9,999 array elements = 10,000: accepted; one more element is over.
    const ok = { a: Array.from({ length: 9_999 }, () => 0) };
    expect(() => prepareSessionWrite(withLabels(ok), ctx, 0)).not.toThrow();
    const over = { a: Array.from({ length: 9_999 }, () => 0), b: 0 };
    expect(rejection(() => prepareSessionWrite(withLabels(over), ctx, 0)).code).toBe(
      'invalid_input',
    );
  });

  it('accepts labels of exactly 1 MiB of JSON and rejects one byte more', () => {
    // {"a":"…"} is 8 bytes of JSON around the string.
    const at = { a: 'x'.repeat(1_048_576 - 8) };
    expect(() => prepareSessionWrite(withLabels(at), ctx, 0)).not.toThrow();
    const over = { a: 'x'.repeat(1_048_576 - 7) };
    expect(rejection(() => prepareSessionWrite(withLabels(over), ctx, 0)).message).toContain(
      'session.meta.labels is 1048577 bytes of JSON, over the limit of 1048576',
    );
  });

  it('measures UTF-8 bytes and JSON escapes, not string length', () => {
    // 'é' is 2 UTF-8 bytes; '\u0001' is 6 bytes of JSON (\u0001). Both exceed
    // in bytes while their length alone would fit.
    const limits = { ...DEFAULT_SESSION_LIMITS, maxLabelsBytes: 100 };
    expect(() =>
      prepareSessionWrite(withLabels({ a: 'é'.repeat(46) }), ctx, 0, undefined, limits),
    ).not.toThrow(); // 8 + 92 = 100 bytes
    expect(
      rejection(() =>
        prepareSessionWrite(withLabels({ a: 'é'.repeat(47) }), ctx, 0, undefined, limits),
      ).message,
    ).toContain('is 102 bytes of JSON');
    expect(
      rejection(() =>
        prepareSessionWrite(withLabels({ a: '\u0001'.repeat(16) }), ctx, 0, undefined, limits),
      ).message,
    ).toContain('is 104 bytes of JSON');
  });

  it('rejects more than 10,000 outbox entries', () => {
    const many = Array.from({ length: 10_001 }, (_, i) => createOutboxEntry(i, 'p', 0));
    expect(rejection(() => prepareSessionWrite(withLabels({}, many), ctx, 0)).message).toContain(
      'session.outbox must hold at most 10000 entries, got 10001',
    );
  });
});

describe('per-store limits', () => {
  it('are enforced as given', () => {
    const limits = resolveSessionLimits(
      { maxLabelValues: 2, maxLabelsBytes: 64, maxOutboxEntries: 1 },
      ctx,
    );
    const write = (labels: unknown, outbox: unknown[] = []) =>
      prepareSessionWrite(withLabels(labels, outbox), ctx, 0, undefined, limits);
    expect(() => write({ a: 1, b: 2 })).not.toThrow();
    expect(rejection(() => write({ a: 1, b: 2, c: 3 })).message).toContain('limit of 2 label');
    expect(rejection(() => write({ a: 'x'.repeat(65) })).message).toContain('limit of 64 bytes');
    expect(() => write({}, [createOutboxEntry(1, 'p', 0)])).not.toThrow();
    expect(
      rejection(() => write({}, [createOutboxEntry(1, 'p', 0), createOutboxEntry(2, 'q', 0)]))
        .message,
    ).toContain('at most 1 entries, got 2');
  });

  it('can be raised above the defaults', () => {
    const limits = resolveSessionLimits({ maxLabelValues: 20_000 }, ctx);
    const labels = { a: Array.from({ length: 15_000 }, () => 0) };
    expect(() => prepareSessionWrite(withLabels(labels), ctx, 0, undefined, limits)).not.toThrow();
  });

  it('labels reused by identity from the stored snapshot are not measured again', () => {
    const stored = prepareSessionWrite(withLabels({ a: 'x'.repeat(1000) }), ctx, 0);
    // The same frozen labels object passes through untouched.
    const next = prepareSessionWrite(
      { ...stored, cursor: { ...stored.cursor, nodeId: 'm' } },
      ctx,
      1,
      () => stored,
    );
    expect(next.meta.labels).toBe(stored.meta.labels);
  });
});

describe('resolveSessionLimits', () => {
  it('fills in the defaults and freezes the result', () => {
    expect(resolveSessionLimits(undefined, ctx)).toBe(DEFAULT_SESSION_LIMITS);
    const limits = resolveSessionLimits({ maxLabelsBytes: 10 }, ctx);
    expect(limits).toStrictEqual({
      maxLabelsBytes: 10,
      maxLabelValues: 10_000,
      maxOutboxEntries: 10_000,
      maxDataBytes: 1_048_576,
      maxDataValues: 10_000,
    });
    expect(Object.isFrozen(limits)).toBe(true);
  });

  it.each([
    [{ maxLabelsBytes: 0 }, 'options.limits.maxLabelsBytes must be a positive safe integer, got 0'],
    [
      { maxLabelValues: -1 },
      'options.limits.maxLabelValues must be a positive safe integer, got -1',
    ],
    [{ maxOutboxEntries: 1.5 }, 'maxOutboxEntries must be a positive safe integer, got 1.5'],
    [{ maxLabelsBytes: '10' }, 'must be a positive safe integer, got "10"'],
    [{ maxLabelsBytes: Number.POSITIVE_INFINITY }, 'got Infinity'],
    [{ maxBytes: 1 }, 'options.limits.maxBytes is not a known option'],
    [new Date(), 'options.limits must be a plain object, got Date'],
    [null, 'options.limits must be an object, got null'],
  ])('rejects %j', (limits, text) => {
    const err = rejection(() => resolveSessionLimits(limits, ctx));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain(text);
  });
});

describe('frozenJsonCopy', () => {
  it('enforces limits when given and none otherwise', () => {
    const big = { a: Array.from({ length: 20_000 }, () => 0) };
    expect(() => frozenJsonCopy(big, 'v', ctx)).not.toThrow();
    expect(
      rejection(() =>
        frozenJsonCopy(big, 'v', ctx, { maxLabelValues: 100, maxLabelsBytes: 1_000_000 }),
      ).message,
    ).toContain('v.a exceeds the limit of 100 label values');
    expect(
      rejection(() =>
        frozenJsonCopy('x'.repeat(20), 'v', ctx, { maxLabelValues: 1, maxLabelsBytes: 10 }),
      ).message,
    ).toContain('v exceeds the limit of 10 bytes');
  });
});
