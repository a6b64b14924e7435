import { fc, test } from '@fast-check/vitest';
import { isIsoUtcTimestamp } from '@greentic/session-core/backend';
import { SESSION_PATTERNS } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { ISO_UTC_TIMESTAMP_PATTERN } from '../src/index.js';

const schemaPattern = new RegExp(ISO_UTC_TIMESTAMP_PATTERN, 'u');
const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('ISO_UTC_TIMESTAMP_PATTERN', () => {
  it('agrees with core on every year 0000-9999, month 00-13 and edge day', () => {
    const disagreements: string[] = [];
    for (let year = 0; year <= 9999; year++) {
      for (let month = 0; month <= 13; month++) {
        for (const day of [0, 1, 28, 29, 30, 31, 32]) {
          const s = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T00:00:00Z`;
          if (schemaPattern.test(s) !== isIsoUtcTimestamp(s)) disagreements.push(s);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('agrees with core on every HH:MM:SS from 00:00:00 to 99:99:99', () => {
    const disagreements: string[] = [];
    for (let h = 0; h <= 99; h++) {
      for (let m = 0; m <= 99; m++) {
        for (let s = 0; s <= 99; s++) {
          const t = `2024-06-30T${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}Z`;
          if (schemaPattern.test(t) !== isIsoUtcTimestamp(t)) disagreements.push(t);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it.each([
    ['2024-02-29T12:00:00Z', true],
    ['2023-02-29T12:00:00Z', false],
    ['1900-02-29T12:00:00Z', false],
    ['2000-02-29T12:00:00Z', true],
    ['0000-02-29T12:00:00Z', true],
    ['2026-01-02T03:04:05.678Z', true],
    ['2026-01-02T03:04:05.123456789Z', true],
    ['2026-01-02T03:04:05.1234567890Z', false],
    ['2026-01-02T03:04:05.Z', false],
    ['2026-01-02T03:04:05+00:00', false],
    ['2026-01-02T03:04:05z', false],
    ['2026-01-02t03:04:05Z', false],
    ['2026-01-02 03:04:05Z', false],
    ['2016-12-31T23:59:60Z', false],
    ['2026-04-31T00:00:00Z', false],
    ['2026-01-02T03:04Z', false],
    ['12026-01-02T03:04:05Z', false],
    ['2026-01-02T03:04:05Z\n', false],
  ])('%s → %s, like core', (value, expected) => {
    expect(isIsoUtcTimestamp(value)).toBe(expected);
    expect(schemaPattern.test(value)).toBe(expected);
  });

  const digitString = (n: number) =>
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
  const shaped = fc
    .tuple(
      digitString(4),
      digitString(2),
      digitString(2),
      digitString(2),
      digitString(2),
      digitString(2),
      fc.option(fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 11 })),
      fc.constantFrom('Z', 'z', '+00:00', '', 'Z ', '-01:00'),
    )
    .map(
      ([y, mo, d, h, mi, s, frac, zone]) =>
        `${y}-${mo}-${d}T${h}:${mi}:${s}${frac === null ? '' : `.${frac}`}${zone}`,
    );

  test.prop([fc.oneof(shaped, fc.string())], { numRuns: 5000 })(
    'agrees with core on generated strings',
    (value) => {
      expect(schemaPattern.test(value)).toBe(isIsoUtcTimestamp(value));
    },
  );

  it('is a strict subset of SESSION_PATTERNS.isoUtc (the shape core checks first)', () => {
    expect(SESSION_PATTERNS.isoUtc.test('2026-02-30T00:00:00Z')).toBe(true);
    expect(schemaPattern.test('2026-02-30T00:00:00Z')).toBe(false);
  });
});
