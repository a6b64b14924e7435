import type { Session } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { expectDeeplyFrozen, expectSessionError } from '../assertions.js';
import { edit, sampleSession } from '../fixtures.js';
import type { SuiteContext } from '../options.js';

type Loose = Record<string, unknown>;

const cycle: Loose = {};
cycle.self = cycle;

/** Nested arrays `depth` levels deep around a scalar. */
function nest(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** The optional `data` field: free-form JSON state of an application or bot framework. */
export function dataTests(ctx: SuiteContext): void {
  describe('data', () => {
    it('a session without data comes back without a data field', async () => {
      const store = await ctx.open();
      const session = sampleSession();
      expect('data' in session).toBe(false);
      await store.put(session);
      const got = await store.get(session.key);
      expect(got).not.toBeNull();
      expect(got && 'data' in got.session).toBe(false);
    });

    it.each([
      ['an object', { counter: 3, user: { name: 'Ada', tags: ['a', 'b'] }, empty: {}, list: [] }],
      ['an array', [1, 'two', null, { three: [3] }]],
      ['a string', 'just text'],
      ['a number', Number.MAX_SAFE_INTEGER],
      ['null', null],
      ['false', false],
      ['the deepest nesting allowed', nest(31)],
    ])('data that is %s comes back deep-equal and deeply frozen', async (_name, data) => {
      const store = await ctx.open();
      const session = { ...sampleSession(), data } as Session;
      await store.put(session);
      const got = await store.get(session.key);
      expect(got).not.toBeNull();
      expect(got?.session.data).toStrictEqual(data);
      if (got !== null) expectDeeplyFrozen(got, 'stored');
    });

    it('data survives updateCas and touch, and can be replaced or dropped', async () => {
      const store = await ctx.open();
      const session = { ...sampleSession(), data: { step: 1 } } as Session;
      const cas = await store.put(session);
      expect(await store.touch(session.key, 60)).toBe(true);
      expect((await store.get(session.key))?.session.data).toStrictEqual({ step: 1 });
      const result = await store.updateCas({ ...session, data: { step: 2 } }, cas);
      expect(result.ok).toBe(true);
      expect(result.ok && result.session.data).toStrictEqual({ step: 2 });
      expect((await store.get(session.key))?.session.data).toStrictEqual({ step: 2 });
      const { data: _drop, ...without } = session;
      expect((await store.updateCas(without, cas + 1)).ok).toBe(true);
      const got = await store.get(session.key);
      expect(got).not.toBeNull();
      expect(got && 'data' in got.session).toBe(false);
    });

    it('a write never keeps or freezes the caller’s data object', async () => {
      const store = await ctx.open();
      const data = { list: [1] };
      const session = { ...sampleSession(), data } as Session;
      await store.put(session);
      data.list.push(2);
      expect(Object.isFrozen(data)).toBe(false);
      expect((await store.get(session.key))?.session.data).toStrictEqual({ list: [1] });
    });

    it.each([
      ['undefined inside', { a: undefined }],
      ['a function', { f: () => 1 }],
      ['NaN', [Number.NaN]],
      ['a Date', new Date()],
      ['a Map', new Map()],
      ['a cycle', cycle],
      ['a bigint', { n: 1n }],
      ['nesting one level too deep', nest(32)],
    ])(
      'data with %s is invalid_input naming session.data, and nothing is written',
      async (_name, data) => {
        const store = await ctx.open();
        const session = edit(sampleSession(), (s) => {
          (s as unknown as Loose).data = data;
        });
        await expectSessionError(store.put(session), 'invalid_input', 'session.data');
        expect(await store.get(session.key)).toBeNull();
      },
    );
  });
}
