import type { SessionStore } from '@greentic/session-core';
import type { Session } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { expectSessionError } from '../assertions.js';
import { edit, sampleSession } from '../fixtures.js';
import type { SuiteContext } from '../options.js';

type Loose = Record<string, unknown>;
const loose = (value: unknown): Loose => value as Loose;

const cycle: Loose = {};
cycle.self = cycle;

/** Sessions that every write must reject, with a word the error names. */
const BAD_SESSIONS: [string, (s: Loose & Session) => void, string][] = [
  ['a missing id', (s) => delete loose(s).id, 'session.id'],
  ['an uppercase id', (s) => (s.id = s.id.toUpperCase()), 'session.id'],
  ['an unknown field', (s) => (s.extra = 1), 'session.extra'],
  ['an empty key', (s) => (s.key = ''), 'session.key'],
  ['a key with a brace', (s) => (s.key = 'a{b}'), 'session.key'],
  ['a key with a newline', (s) => (s.key = 'a\nb'), 'session.key'],
  ['a key with unicode', (s) => (s.key = 'clé'), 'session.key'],
  ['a key longer than 512', (s) => (s.key = 'k'.repeat(513)), 'session.key'],
  ['a tenant with a colon', (s) => (s.meta.tenantId = 'acme:other'), 'session.meta.tenantId'],
  ['a tenant with a wildcard', (s) => (s.meta.tenantId = '*'), 'session.meta.tenantId'],
  ['the reserved tenant lookup', (s) => (s.meta.tenantId = 'lookup'), 'session.meta.tenantId'],
  ['an empty teamId', (s) => (s.meta.teamId = ''), 'session.meta.teamId'],
  ['a numeric userId', (s) => (loose(s.meta).userId = 42), 'session.meta.userId'],
  ['labels that are an array', (s) => (loose(s.meta).labels = []), 'session.meta.labels'],
  [
    'a label that is undefined',
    (s) => ((s.meta.labels as Loose).x = undefined),
    'session.meta.labels.x',
  ],
  [
    'a label that is a function',
    (s) => ((s.meta.labels as Loose).x = () => 1),
    'session.meta.labels.x',
  ],
  [
    'a label that is NaN',
    (s) => ((s.meta.labels as Loose).x = Number.NaN),
    'session.meta.labels.x',
  ],
  [
    'a label that is a Date',
    (s) => ((s.meta.labels as Loose).x = new Date()),
    'session.meta.labels.x',
  ],
  ['a label that is a cycle', (s) => ((s.meta.labels as Loose).x = cycle), 'session.meta.labels.x'],
  ['an empty flowId', (s) => (s.cursor.flowId = ''), 'session.cursor.flowId'],
  ['a negative outboxSeq', (s) => (s.cursor.outboxSeq = -1), 'session.cursor.outboxSeq'],
  ['an unsafe outboxSeq', (s) => (s.cursor.outboxSeq = 2 ** 53), 'session.cursor.outboxSeq'],
  ['an outbox that is not an array', (s) => ((s as Loose).outbox = {}), 'session.outbox'],
  [
    'an uppercase digest',
    (s) => (loose(s.outbox[0]).payloadSha256 = 'A'.repeat(64)),
    'payloadSha256',
  ],
  ['a short digest', (s) => (loose(s.outbox[0]).payloadSha256 = 'ab'), 'payloadSha256'],
  [
    'a createdAt with an offset',
    (s) => (loose(s.outbox[0]).createdAt = '2026-01-01T00:00:00+01:00'),
    'createdAt',
  ],
  [
    'a createdAt on 30 February',
    (s) => (loose(s.outbox[0]).createdAt = '2026-02-30T00:00:00Z'),
    'createdAt',
  ],
  ['a fractional seq', (s) => (loose(s.outbox[0]).seq = 1.5), 'seq'],
  ['a negative ttl', (s) => (s.ttlSecs = -1), 'session.ttlSecs'],
  ['a fractional ttl', (s) => (s.ttlSecs = 1.5), 'session.ttlSecs'],
  ['a ttl above 2^31 - 1', (s) => (s.ttlSecs = 2 ** 31), 'session.ttlSecs'],
  ['a ttl as a string', (s) => ((s as Loose).ttlSecs = '60'), 'session.ttlSecs'],
  ['a bad updatedAt', (s) => (s.updatedAt = 'yesterday'), 'session.updatedAt'],
];

const BAD_KEYS: unknown[] = ['', 'a b', 'a{b', 'x}', 'é', 'k'.repeat(513), 42, null, undefined, {}];
const BAD_OPTS: unknown[] = [
  null,
  'acme',
  [],
  { tenantId: '' },
  { tenantId: 'a:b' },
  { tenantId: 'lookup' },
  { tenant: 'acme' },
];
const BAD_TTLS: unknown[] = [-1, 1.5, 2 ** 31, '60', Number.NaN, Number.POSITIVE_INFINITY];
const BAD_CAS: unknown[] = [-1, 1.5, '1', null, undefined, 2 ** 53];

/** Every kind of bad input is rejected with `invalid_input`, and nothing is written. */
export function badInputTests(ctx: SuiteContext): void {
  describe('bad input', () => {
    const expectNothingWritten = async (store: SessionStore, session: Session) => {
      expect(await store.get(session.key)).toBeNull();
    };

    it.each(BAD_SESSIONS)('put rejects a session with %s', async (_label, change, field) => {
      const store = await ctx.open();
      const good = sampleSession();
      const bad = edit(good, change as (s: Session) => void);
      await expectSessionError(store.put(bad), 'invalid_input', field);
      await expectNothingWritten(store, good);
    });

    it.each(BAD_SESSIONS)(
      'updateCas rejects a session with %s and leaves the stored one',
      async (_label, change, field) => {
        const store = await ctx.open();
        const good = sampleSession();
        await store.put(good);
        const before = await store.get(good.key);
        await expectSessionError(
          store.updateCas(edit(good, change as (s: Session) => void), 1),
          'invalid_input',
          field,
        );
        expect(await store.get(good.key)).toStrictEqual(before);
      },
    );

    it('writes reject values that are not sessions', async () => {
      const store = await ctx.open();
      for (const bad of [null, undefined, 42, 'session', [], new Map()]) {
        await expectSessionError(store.put(bad as unknown as Session), 'invalid_input', 'session');
        await expectSessionError(
          store.updateCas(bad as unknown as Session, 1),
          'invalid_input',
          'session',
        );
      }
    });

    it('every operation rejects bad keys', async () => {
      const store = await ctx.open();
      for (const key of BAD_KEYS) {
        const k = key as string;
        await expectSessionError(store.get(k), 'invalid_input', 'key');
        await expectSessionError(store.delete(k), 'invalid_input', 'key');
        await expectSessionError(store.touch(k), 'invalid_input', 'key');
      }
    });

    it('every operation rejects bad options', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      const before = await store.get(session.key);
      for (const opts of BAD_OPTS) {
        const o = opts as { tenantId: string };
        await expectSessionError(store.get(session.key, o), 'invalid_input', 'opts');
        await expectSessionError(store.delete(session.key, o), 'invalid_input', 'opts');
        await expectSessionError(store.touch(session.key, 10, o), 'invalid_input', 'opts');
      }
      expect(await store.get(session.key)).toStrictEqual(before);
    });

    it('touch rejects bad ttls and changes nothing', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      const before = await store.get(session.key);
      for (const ttl of BAD_TTLS) {
        await expectSessionError(
          store.touch(session.key, ttl as number),
          'invalid_input',
          'ttlSecs',
        );
      }
      expect(await store.get(session.key)).toStrictEqual(before);
    });

    it('updateCas rejects a bad expected cas and changes nothing', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      await store.put(session);
      const before = await store.get(session.key);
      for (const cas of BAD_CAS) {
        await expectSessionError(
          store.updateCas(session, cas as number),
          'invalid_input',
          'expected',
        );
      }
      expect(await store.get(session.key)).toStrictEqual(before);
    });

    it('error messages name the backend package and the operation', async () => {
      const store = await ctx.open();
      const err = await expectSessionError(store.touch('k', -1), 'invalid_input');
      expect(err.message).toMatch(
        /^\[@greentic\/session-[a-z-]+\] touch: ttlSecs must be an integer 0\.\.2147483647, got -1$/,
      );
    });
  });
}
