import { SessionError } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { toSessionError } from './errors.js';

const CTX = { pkg: '@greentic/session-redis', op: 'get' };

function named(name: string, message: string): Error {
  const err = new Error(message);
  Object.defineProperty(err, 'name', { value: name });
  return err;
}

describe('toSessionError', () => {
  it('maps a command timeout to timeout', () => {
    const err = toSessionError(new Error('Command timed out'), CTX);
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/^\[@greentic\/session-redis\] get: /);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it.each([
    new Error('Connection is closed.'),
    new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    new Error("Cluster isn't ready and enableOfflineQueue options is false"),
    new Error('None of startup nodes is available'),
    named('MaxRetriesPerRequestError', 'Reached the max retries per request limit'),
    named('ClusterAllFailedError', 'Failed to refresh slots cache.'),
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    new Error('LOADING Redis is loading the dataset in memory'),
    new Error('CLUSTERDOWN The cluster is down'),
    new Error('TRYAGAIN Multiple keys request during rehashing of slot'),
    new Error('READONLY You cannot write against a read only replica.'),
  ])('maps %s to unavailable', (cause) => {
    expect(toSessionError(cause, CTX).code).toBe('unavailable');
  });

  it('maps anything else to internal, keeping the cause', () => {
    const cause = new Error('ERR Error running script: boom');
    const err = toSessionError(cause, CTX);
    expect(err.code).toBe('internal');
    expect(err.cause).toBe(cause);
    expect(toSessionError('weird', CTX).code).toBe('internal');
    expect(toSessionError(null, CTX).code).toBe('internal');
  });

  it('passes a SessionError through unchanged', () => {
    const original = new SessionError('tenant_mismatch', 'x');
    expect(toSessionError(original, CTX)).toBe(original);
  });
});
