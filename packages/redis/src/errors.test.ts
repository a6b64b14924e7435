import { inspect } from 'node:util';
import { SessionError } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import {
  CommandMaybeSentError,
  CommandNotSentError,
  redactCredentials,
  redactUrl,
  safeCause,
  toSessionError,
} from './errors.js';

const CTX = { pkg: '@greentic/session-redis', op: 'get' };

function named(name: string, message: string): Error {
  const err = new Error(message);
  Object.defineProperty(err, 'name', { value: name });
  return err;
}

describe('toSessionError', () => {
  it('maps a command timeout to timeout: the command may have been applied', () => {
    const err = toSessionError(new Error('Command timed out'), CTX);
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/^\[@greentic\/session-redis\] get: .*may have been applied/);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it.each([
    new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    new Error("Cluster isn't ready and enableOfflineQueue options is false"),
    new Error('Cluster is ended.'),
    new Error('LOADING Redis is loading the dataset in memory'),
    new Error('CLUSTERDOWN The cluster is down'),
    new Error('TRYAGAIN Multiple keys request during rehashing of slot'),
    new Error('READONLY You cannot write against a read only replica.'),
    new Error('MASTERDOWN Link with MASTER is down'),
    new Error('BUSY Redis is busy running a script.'),
    new Error('NOAUTH Authentication required.'),
    new Error('WRONGPASS invalid username-password pair or user is disabled.'),
    new Error('Too many Cluster redirections. Last error: MOVED 1 h:1'),
    new Error('ERR DB index is out of range'),
  ])('maps %s (never sent, or refused unrun) to unavailable', (cause) => {
    expect(toSessionError(cause, CTX).code).toBe('unavailable');
  });

  it('names maxmemory for an OOM refusal, as unavailable', () => {
    const err = toSessionError(
      new Error("OOM command not allowed when used memory > 'maxmemory'."),
      CTX,
    );
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain('maxmemory');
  });

  it.each([
    named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 0).'),
    named('AbortError', 'Command aborted due to connection close'),
    new Error('Connection is closed.'),
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }),
  ])('maps %s (the connection dropped with the command in flight) to timeout', (cause) => {
    const err = toSessionError(cause, CTX);
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('may have been applied');
  });

  it.each([
    named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 0).'),
    new Error('Connection is closed.'),
  ])('maps %s to unavailable when the store knows the command was never written', (dropped) => {
    const err = toSessionError(new CommandNotSentError(dropped), CTX);
    expect(err.code).toBe('unavailable');
    expect(err.reason).toBe('unreachable');
    expect(err.message).toContain('nothing was sent');
    expect(err.message).toContain(dropped.message);
    expect(err.message).not.toContain('may have been applied');
  });

  it.each([
    new Error('Cluster is ended.'),
    new Error('Too many Cluster redirections. Last error: MOVED 1 h:1'),
    new Error('READONLY You cannot write against a read only replica.'),
    new CommandNotSentError(new Error('Connection is closed.')),
  ])('maps %s to timeout when an earlier write of the command may have run', (last) => {
    const err = toSessionError(new CommandMaybeSentError(last), CTX);
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('may have been applied');
    expect(err.message).toContain(last.message);
  });

  it('maps anything else to internal', () => {
    const err = toSessionError(new Error('ERR Error running script: boom'), CTX);
    expect(err.code).toBe('internal');
    expect((err.cause as Error).message).toBe('ERR Error running script: boom');
    expect(toSessionError('weird', CTX).code).toBe('internal');
    expect(toSessionError(null, CTX).code).toBe('internal');
  });

  it('passes a SessionError through unchanged', () => {
    const original = new SessionError('tenant_mismatch', 'x');
    expect(toSessionError(original, CTX)).toBe(original);
  });

  it('keeps no command arguments in the cause: an AUTH password never reaches a dump', () => {
    const raw = Object.assign(
      new Error('WRONGPASS invalid username-password pair or user is disabled.'),
      { command: { name: 'auth', args: ['default', 'S3cret-pw'] }, code: 'X' },
    );
    const err = toSessionError(raw, CTX);
    const dump = `${inspect(err, { depth: 20, showHidden: true })}${JSON.stringify(err)}`;
    expect(dump).not.toContain('S3cret-pw');
    expect(err.cause).toMatchObject({ command: 'auth', code: 'X' });
    expect(safeCause(raw)).not.toBe(raw);
  });
});

describe('redaction', () => {
  it('hides credentials in URLs and in messages that quote them', () => {
    expect(redactUrl('redis://user:pw@host:1/0')).toBe('redis://***@host:1/0');
    expect(redactUrl('redis:/user:pw@host')).toBe('redis:/***@host');
    expect(redactUrl('redis://u:p@w@host')).toBe('redis://***@host');
    expect(redactUrl('redis://host')).toBe('redis://host');
    expect(redactCredentials('connect to rediss://a:b@h failed')).toBe(
      'connect to rediss://***@h failed',
    );
  });
});
