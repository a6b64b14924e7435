import { SessionError } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { CliError, describeFailure, EXIT_CODES } from './errors.js';

describe('describeFailure', () => {
  it.each([
    ['usage', 2],
    ['not_found', 3],
    ['refused', 4],
    ['unsupported', 5],
    ['interrupted', 130],
  ] as const)('CliError %s exits %i', (code, exitCode) => {
    expect(describeFailure(new CliError(code, 'why'))).toStrictEqual({
      code,
      exitCode,
      message: 'why',
    });
  });

  it('invalid_input is a usage error (2), and so is a URL scheme no backend serves', () => {
    expect(describeFailure(new SessionError('invalid_input', 'bad tenant')).exitCode).toBe(2);
    const missing = new SessionError('unavailable', 'no backend', { reason: 'missing_package' });
    expect(describeFailure(missing)).toMatchObject({ exitCode: 2, reason: 'missing_package' });
  });

  it.each(['unavailable', 'timeout', 'internal', 'conflict', 'tenant_mismatch'] as const)(
    'SessionError %s is a failure (1), with its reason',
    (code) => {
      const report = describeFailure(new SessionError(code, 'down', { reason: 'unreachable' }));
      expect(report).toStrictEqual({
        code,
        reason: 'unreachable',
        exitCode: EXIT_CODES.failed,
        message: 'down',
      });
    },
  );

  it('anything else is a failure on one line', () => {
    expect(describeFailure(new Error('first\n  second\r\nthird'))).toStrictEqual({
      code: 'error',
      exitCode: 1,
      message: 'first second third',
    });
    expect(describeFailure('thrown string').message).toBe('thrown string');
  });
});
