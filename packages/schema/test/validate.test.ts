import { SESSION_LIMITS } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { sessionSchema } from '../src/index.js';
import {
  createSchemaValidator,
  outboxEntryValidator,
  sessionCursorValidator,
  sessionMetaValidator,
  sessionValidator,
  storedEnvelopeValidator,
  storedSessionValidator,
  validateSession,
} from '../src/validate.js';

const session = () => ({
  id: '123e4567-e89b-42d3-a456-426614174000',
  key: 'a'.repeat(64),
  cursor: { flowId: 'onboarding', nodeId: 'ask-name', waitReason: 'user_reply', outboxSeq: 1 },
  meta: { tenantId: 'acme', teamId: null, userId: 'u-1', labels: { lang: 'en', tags: ['a'] } },
  outbox: [{ seq: 1, payloadSha256: 'f'.repeat(64), createdAt: '2026-01-02T03:04:05.678Z' }],
  updatedAt: '2026-01-02T03:04:05.678Z',
  ttlSecs: 3600,
});

function issuesOf(value: unknown) {
  const result = validateSession(value);
  if (result.ok) throw new Error('expected a rejection');
  return result;
}

describe('validateSession', () => {
  it('returns the value, typed, when it matches', () => {
    const value = session();
    const result = validateSession(value);
    expect(result).toEqual({ ok: true, value });
    expect(result.ok && result.value).toBe(value);
    expect(sessionValidator.is(value)).toBe(true);
    expect(sessionValidator.schemaId).toBe(sessionSchema.$id);
  });

  it('names a missing field', () => {
    const { cursor, ...rest } = session();
    const result = issuesOf({ ...rest, cursor: { ...cursor, nodeId: undefined } });
    expect(result.issues).toEqual([
      {
        path: 'session.cursor.nodeId',
        keyword: 'required',
        message: 'session.cursor.nodeId is required',
      },
    ]);
    expect(result.message).toBe('session.cursor.nodeId is required');
  });

  it('names an unknown field', () => {
    const value = session();
    const result = issuesOf({ ...value, meta: { ...value.meta, team: 'x' } });
    expect(result.message).toBe('session.meta.team is not a known field');
  });

  it('says which types a field accepts', () => {
    const value = session();
    expect(issuesOf({ ...value, meta: { ...value.meta, teamId: 7 } }).message).toBe(
      'session.meta.teamId must be string or null',
    );
    expect(issuesOf({ ...value, ttlSecs: 1.5 }).message).toBe('session.ttlSecs must be integer');
  });

  it('rejects a reserved tenant id', () => {
    const value = session();
    expect(issuesOf({ ...value, meta: { ...value.meta, tenantId: 'lookup' } }).message).toBe(
      'session.meta.tenantId is a reserved value',
    );
  });

  it('points into arrays and odd label keys', () => {
    const value = session();
    const outbox = [value.outbox[0], { ...value.outbox[0], payloadSha256: 'F'.repeat(64) }];
    expect(issuesOf({ ...value, outbox }).issues[0]?.path).toBe('session.outbox[1].payloadSha256');
    const labels = { 'a/b~c': { 'x y': [undefined] } };
    expect(issuesOf({ ...value, meta: { ...value.meta, labels } }).issues[0]?.path).toBe(
      'session.meta.labels["a/b~c"]["x y"][0]',
    );
  });

  it('counts string lengths in UTF-16 code units, like core', () => {
    const value = session();
    const emoji = '\u{1F600}';
    const at = (flowId: string) =>
      validateSession({ ...value, cursor: { ...value.cursor, flowId } });
    expect(at(emoji.repeat(SESSION_LIMITS.maxTextLength / 2)).ok).toBe(true);
    const over = at(`${emoji.repeat(SESSION_LIMITS.maxTextLength / 2)}a`);
    expect(over.ok).toBe(false);
    expect(!over.ok && over.message).toBe(
      `session.cursor.flowId must NOT have more than ${SESSION_LIMITS.maxTextLength} characters`,
    );
  });

  it('rejects non-calendar timestamps, offsets and leap seconds', () => {
    const value = session();
    for (const updatedAt of [
      '2026-02-29T00:00:00Z',
      '2026-01-02T03:04:05+00:00',
      '2016-12-31T23:59:60Z',
    ]) {
      expect(validateSession({ ...value, updatedAt }).ok).toBe(false);
    }
    expect(validateSession({ ...value, updatedAt: '2028-02-29T23:59:59.123456789Z' }).ok).toBe(
      true,
    );
  });

  it('rejects a root that is not an object', () => {
    expect(issuesOf(null).message).toBe('session must be object');
  });
});

describe('the other validators', () => {
  it('check each part of the model on its own', () => {
    const value = session();
    expect(sessionMetaValidator.validate(value.meta).ok).toBe(true);
    expect(sessionCursorValidator.validate(value.cursor).ok).toBe(true);
    expect(outboxEntryValidator.validate(value.outbox[0]).ok).toBe(true);
    const meta = sessionMetaValidator.validate({ ...value.meta, userId: '' });
    expect(!meta.ok && meta.message).toBe('meta.userId must NOT have fewer than 1 characters');
    const cursor = sessionCursorValidator.validate({ ...value.cursor, outboxSeq: -1 });
    expect(!cursor.ok && cursor.message).toBe('cursor.outboxSeq must be >= 0');
    expect(outboxEntryValidator.is({ ...value.outbox[0], seq: 2 ** 53 })).toBe(false);
  });

  it('check what get returns: a cas of at least 1', () => {
    expect(storedSessionValidator.validate({ session: session(), cas: 1 }).ok).toBe(true);
    const zero = storedSessionValidator.validate({ session: session(), cas: 0 });
    expect(!zero.ok && zero.message).toBe('stored.cas must be >= 1');
  });

  it('check the stored envelope', () => {
    const s = session();
    const envelope = {
      session: s,
      cas: 3,
      tenantId: 'acme',
      updatedAt: s.updatedAt,
      ttlSecs: s.ttlSecs,
    };
    expect(storedEnvelopeValidator.validate(envelope).ok).toBe(true);
    const bad = storedEnvelopeValidator.validate({
      ...envelope,
      ttlSecs: SESSION_LIMITS.maxTtlSecs + 1,
    });
    expect(!bad.ok && bad.issues[0]?.path).toBe('envelope.ttlSecs');
  });

  it('compile any schema with a default root name, once', () => {
    const schema = { $id: 'https://example.test/x.json', type: 'object', required: ['a'] };
    const v = createSchemaValidator<{ a: unknown }>(schema);
    const result = v.validate({});
    expect(!result.ok && result.message).toBe('value.a is required');
    expect(v.is({ a: 1 })).toBe(true);
    // A second validator for the same $id reuses the compiled schema.
    expect(createSchemaValidator(schema).is({})).toBe(false);
  });
});
