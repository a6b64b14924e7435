import { describe, expect, it } from 'vitest';
import { SessionError, SessionErrorCode } from './session-error.js';

describe('SessionError', () => {
  it('carries code, literal name, message and cause', () => {
    const cause = new Error('socket closed');
    const err = new SessionError('unavailable', '[@greentic/session-redis] get: server gone', {
      cause,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SessionError');
    expect(err.code).toBe('unavailable');
    expect(err.message).toBe('[@greentic/session-redis] get: server gone');
    expect(err.cause).toBe(cause);
  });

  it('has no cause property when none is given', () => {
    const err = new SessionError('internal', 'x');
    expect('cause' in err).toBe(false);
  });

  it('isInstance recognises errors from another copy of the package by the global symbol', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('greentic.session.error')]: true });
    expect(SessionError.isInstance(foreign)).toBe(true);
    expect(SessionError.isInstance(new SessionError('timeout', 't'))).toBe(true);
    expect(SessionError.isInstance(new Error('plain'))).toBe(false);
    expect(SessionError.isInstance(null)).toBe(false);
    expect(SessionError.isInstance('invalid_input')).toBe(false);
  });

  it('exposes every code as a lowercase snake_case string', () => {
    for (const code of Object.values(SessionErrorCode)) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(Object.values(SessionErrorCode)).toContain('tenant_mismatch');
  });
});
