import { describe, expect, it } from 'vitest';
import { describeValue, sessionError } from './context.js';

describe('error context helpers', () => {
  it('describeValue shows short, bounded renderings', () => {
    expect(describeValue('x'.repeat(50))).toBe(`"${'x'.repeat(40)}…" (length 50)`);
    expect(describeValue(-1)).toBe('-1');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(5n)).toBe('5n');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue({})).toBe('an object');
    expect(describeValue(() => 1)).toBe('a function');
  });

  it('sessionError formats [pkg] op: detail and keeps the cause', () => {
    const cause = new Error('low level');
    const err = sessionError('timeout', { pkg: 'p', op: 'get' }, 'slow', cause);
    expect(err.message).toBe('[p] get: slow');
    expect(err.cause).toBe(cause);
  });
});
