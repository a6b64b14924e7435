import { describe, expect, it } from 'vitest';
import { SESSION_LIMITS, SESSION_PATTERNS } from './limits.js';

describe('SESSION_PATTERNS', () => {
  it('sessionKey rejects braces, whitespace and non-ASCII, accepts colons and hex', () => {
    const ok = [
      'a',
      'tg:1:2',
      'e9ec0b1df5b41e0785cbc58dfa3036317865737fce1a460de78b4be648aa3576',
      '*|~',
    ];
    const bad = ['', 'a{b', 'a}b', 'a b', 'a\nb', 'é', '\u0000'];
    for (const k of ok) expect(SESSION_PATTERNS.sessionKey.test(k), k).toBe(true);
    for (const k of bad) expect(SESSION_PATTERNS.sessionKey.test(k), JSON.stringify(k)).toBe(false);
  });

  it('tenantId rejects the key-layout separator and wildcards', () => {
    for (const t of ['acme', 'a.b_c-d', '0tenant'])
      expect(SESSION_PATTERNS.tenantId.test(t)).toBe(true);
    for (const t of ['', 'a:b', '*', '-lead', 'a{b}', 'a b', 'ü'])
      expect(SESSION_PATTERNS.tenantId.test(t)).toBe(false);
  });

  it('isoUtc only accepts UTC with a Z suffix', () => {
    expect(SESSION_PATTERNS.isoUtc.test('2026-01-02T03:04:05.678Z')).toBe(true);
    expect(SESSION_PATTERNS.isoUtc.test('2026-01-02T03:04:05Z')).toBe(true);
    expect(SESSION_PATTERNS.isoUtc.test('2026-01-02T03:04:05+01:00')).toBe(false);
  });

  it('maxTtlSecs is 2^31 - 1', () => {
    expect(SESSION_LIMITS.maxTtlSecs).toBe(2 ** 31 - 1);
  });
});

describe('cas constants', () => {
  it('none is 0 and the first write is 1', async () => {
    const { CAS_INITIAL, CAS_NONE } = await import('./cas.js');
    expect([CAS_NONE, CAS_INITIAL]).toStrictEqual([0, 1]);
  });
});

describe('DEFAULT_SESSION_LIMITS', () => {
  it('are 1 MiB of label JSON, 10,000 label values, 10,000 outbox entries, 1 MiB and 10,000 values of data, frozen', async () => {
    const { DEFAULT_SESSION_LIMITS } = await import('./limits.js');
    expect(DEFAULT_SESSION_LIMITS).toStrictEqual({
      maxLabelsBytes: 1_048_576,
      maxLabelValues: 10_000,
      maxOutboxEntries: 10_000,
      maxDataBytes: 1_048_576,
      maxDataValues: 10_000,
    });
    expect(Object.isFrozen(DEFAULT_SESSION_LIMITS)).toBe(true);
  });
});
