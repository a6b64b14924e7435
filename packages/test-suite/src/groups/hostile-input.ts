import { mutate, type SessionStore } from '@greentic/session-core';
import type { Session } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { expectSessionError, expectStored } from '../assertions.js';
import { edit, sampleSession, uniqueKey, uniqueTenant } from '../fixtures.js';
import type { SuiteContext } from '../options.js';

type Loose = Record<string, unknown>;

/** A property that answers `first` on its first read and `later` on every other. */
function flip<T>(first: T, later: T): PropertyDescriptor {
  let reads = 0;
  return { enumerable: true, configurable: true, get: () => (++reads === 1 ? first : later) };
}

/** Tenant A's session, stored, and what a read of it returns now. */
async function victim(store: SessionStore) {
  const a = sampleSession({ tenantId: uniqueTenant('victim') });
  await store.put(a);
  return { a, before: await expectStored(store, a.key) };
}

/**
 * The attack of issue 10: `meta` answers tenant B to the first read (the
 * fence) and A's own meta with planted labels to every later read (the write).
 */
function evilMeta(a: Session, tenantB: string): Loose {
  const evil: Loose = { ...a };
  Object.defineProperty(
    evil,
    'meta',
    flip({ ...a.meta, tenantId: tenantB }, { ...a.meta, labels: { pwned: true } }),
  );
  return evil;
}

/** A Proxy over the session whose `meta` flips the same way. */
function evilProxy(a: Session, tenantB: string): Loose {
  let reads = 0;
  return new Proxy({ ...a } as Loose, {
    get: (target, prop, receiver) =>
      prop === 'meta'
        ? ++reads === 1
          ? { ...a.meta, tenantId: tenantB }
          : { ...a.meta, labels: { pwned: true } }
        : Reflect.get(target, prop, receiver),
  });
}

/** A session whose `meta` is a Proxy whose `tenantId` flips from B to A. */
function evilTenantId(a: Session, tenantB: string): Loose {
  let reads = 0;
  const meta = new Proxy({ ...a.meta, labels: { pwned: true } } as Loose, {
    get: (target, prop, receiver) =>
      prop === 'tenantId'
        ? ++reads === 1
          ? tenantB
          : a.meta.tenantId
        : Reflect.get(target, prop, receiver),
  });
  return { ...a, meta };
}

const ATTACKS = [
  ['a meta getter', evilMeta],
  ['a Proxy over the session', evilProxy],
  ['a Proxy over meta', evilTenantId],
] as const;

const boom = () => {
  throw new Error('boom');
};
const THROWING: [string, () => unknown][] = [
  [
    'a throwing getter',
    () => {
      const s: Loose = { ...sampleSession() };
      Object.defineProperty(s, 'cursor', { enumerable: true, get: boom });
      return s;
    },
  ],
  ['a throwing ownKeys trap', () => new Proxy({ ...sampleSession() }, { ownKeys: boom })],
  [
    'a throwing getPrototypeOf trap',
    () => new Proxy({ ...sampleSession() }, { getPrototypeOf: boom }),
  ],
  [
    'a throwing getOwnPropertyDescriptor trap in labels',
    () =>
      edit(sampleSession(), (s) => {
        s.meta.labels = new Proxy({ a: 1 }, { getOwnPropertyDescriptor: boom }) as never;
      }),
  ],
  [
    'a throwing get trap in an outbox entry',
    () => {
      const s = sampleSession();
      return { ...s, outbox: [new Proxy({ ...s.outbox[0] }, { get: boom })] };
    },
  ],
  [
    'a revoked Proxy as cursor',
    () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return { ...sampleSession(), cursor: proxy };
    },
  ],
];

/**
 * Inputs that change between reads, throw from getters and Proxy traps, or
 * are too big: the named regression cases of issue 10. Every write is read
 * once, the fence holds on the validated copy, throws are `invalid_input`,
 * and nothing is written.
 */
export function hostileInputTests(ctx: SuiteContext): void {
  describe('hostile input', () => {
    describe('read-once fence (issue 10, defect 1)', () => {
      for (const [name, build] of ATTACKS) {
        it(`forTenant(B).put of ${name} answering B then A's data throws tenant_mismatch and leaves A untouched`, async () => {
          const store = await ctx.open();
          const { a, before } = await victim(store);
          const b = uniqueTenant('attacker');
          await expectSessionError(store.forTenant(b).put(build(a, b) as never), 'tenant_mismatch');
          expect(await store.get(a.key)).toStrictEqual(before);
        });

        it(`forTenant(B).updateCas of ${name} answering B then A's data throws tenant_mismatch and leaves A untouched`, async () => {
          const store = await ctx.open();
          const { a, before } = await victim(store);
          const b = uniqueTenant('attacker');
          await expectSessionError(
            store.forTenant(b).updateCas(build(a, b) as never, before.cas),
            'tenant_mismatch',
          );
          expect(await store.get(a.key)).toStrictEqual(before);
        });

        it(`put and updateCas with opts { tenantId: B } of ${name} throw tenant_mismatch and leave A untouched`, async () => {
          const store = await ctx.open();
          const { a, before } = await victim(store);
          const b = uniqueTenant('attacker');
          await expectSessionError(
            store.put(build(a, b) as never, { tenantId: b }),
            'tenant_mismatch',
          );
          await expectSessionError(
            store.updateCas(build(a, b) as never, before.cas, { tenantId: b }),
            'tenant_mismatch',
          );
          expect(await store.get(a.key)).toStrictEqual(before);
        });
      }

      it("forTenant(B).put of a fresh key whose tenantId answers B then A writes B's session, never A's", async () => {
        const store = await ctx.open();
        const a = sampleSession({ tenantId: uniqueTenant('victim') });
        const b = uniqueTenant('attacker');
        expect(await store.forTenant(b).put(evilTenantId(a, b) as never)).toBe(1);
        expect(await store.get(a.key, { tenantId: a.meta.tenantId })).toBeNull();
        expect((await expectStored(store, a.key, { tenantId: b })).session.meta.tenantId).toBe(b);
      });

      it('opts are read once: a tenantId getter answering B then A cannot fence a read to B and serve A', async () => {
        const store = await ctx.open();
        const { a } = await victim(store);
        const b = uniqueTenant('attacker');
        const opts = (): Loose => Object.defineProperty({}, 'tenantId', flip(b, a.meta.tenantId));
        expect(await store.get(a.key, opts() as never)).toBeNull();
        expect(await store.touch(a.key, 5, opts() as never)).toBe(false);
        expect(await store.delete(a.key, opts() as never)).toBe(false);
        expect(await store.get(a.key)).not.toBeNull();
      });
    });

    describe('throwing getters and Proxy traps give invalid_input and write nothing', () => {
      for (const [name, build] of THROWING) {
        it(`put and updateCas of a session with ${name}`, async () => {
          const store = await ctx.open();
          const { a, before } = await victim(store);
          const input = build();
          const err = await expectSessionError(store.put(input as never), 'invalid_input');
          expect(err.cause).toBeDefined();
          await expectSessionError(store.updateCas(input as never, 1), 'invalid_input');
          expect(await store.get(a.key)).toStrictEqual(before);
        });
      }

      it('options with a throwing getter or trap', async () => {
        const store = await ctx.open();
        const { a, before } = await victim(store);
        const getter = Object.defineProperty({}, 'tenantId', { enumerable: true, get: boom });
        const trap = new Proxy({}, { ownKeys: boom });
        for (const opts of [getter, trap]) {
          await expectSessionError(store.get(a.key, opts as never), 'invalid_input', 'opts');
          await expectSessionError(store.delete(a.key, opts as never), 'invalid_input', 'opts');
          await expectSessionError(store.touch(a.key, 1, opts as never), 'invalid_input', 'opts');
          await expectSessionError(store.put(a, opts as never), 'invalid_input', 'opts');
          await expectSessionError(store.updateCas(a, 1, opts as never), 'invalid_input', 'opts');
        }
        expect(await store.get(a.key)).toStrictEqual(before);
      });
    });

    describe('options must be plain objects (issue 10, defect 6)', () => {
      it('get, delete, touch, put and updateCas reject a Date as options', async () => {
        const store = await ctx.open();
        const { a, before } = await victim(store);
        const date = new Date() as never;
        await expectSessionError(
          store.get(a.key, date),
          'invalid_input',
          'opts must be a plain object',
        );
        await expectSessionError(store.delete(a.key, date), 'invalid_input', 'opts');
        await expectSessionError(store.touch(a.key, 1, date), 'invalid_input', 'opts');
        await expectSessionError(store.put(a, date), 'invalid_input', 'opts');
        await expectSessionError(store.updateCas(a, before.cas, date), 'invalid_input', 'opts');
        expect(await store.get(a.key)).toStrictEqual(before);
      });

      it('mutate rejects a Date as options and writes nothing', async () => {
        const store = await ctx.open();
        const { a, before } = await victim(store);
        await expectSessionError(
          mutate(store, a.key, (s) => s, new Date() as never),
          'invalid_input',
          'opts must be a plain object',
        );
        expect(await store.get(a.key)).toStrictEqual(before);
      });
    });

    describe('mutate validates opts.random (issue 10, defect 6)', () => {
      it('random() returning 1e3 after a conflict throws invalid_input at once instead of sleeping', async () => {
        const store = await ctx.open();
        const { a } = await victim(store);
        let competing = true;
        const err = await expectSessionError(
          mutate(
            store,
            a.key,
            async (current) => {
              // One competing write makes the first attempt conflict.
              if (competing) {
                competing = false;
                await store.put(a);
              }
              return current;
            },
            // Without the check this would sleep 1e3 × 60 s.
            { random: () => 1e3, baseDelayMs: 60_000, maxDelayMs: 60_000 },
          ),
          'invalid_input',
          'opts.random must return a number in [0, 1)',
        );
        expect(err.message).toContain('got 1000');
        expect((await expectStored(store, a.key)).cas).toBe(2);
      });
    });

    describe('mutate reads what fn returns once (found by the fuzz group)', () => {
      it('fn returning a revoked Proxy or a Proxy whose get trap throws gives invalid_input and writes nothing', async () => {
        const store = await ctx.open();
        const { a, before } = await victim(store);
        const { proxy: revoked, revoke } = Proxy.revocable({}, {});
        revoke();
        for (const value of [revoked, new Proxy({}, { get: boom })]) {
          await expectSessionError(
            mutate(store, a.key, () => value as never),
            'invalid_input',
          );
        }
        expect(await store.get(a.key)).toStrictEqual(before);
      });

      it("fn returning a session whose key getter answers A's key once, then another, writes A's key only", async () => {
        const store = await ctx.open();
        const { a } = await victim(store);
        const other = sampleSession({ tenantId: a.meta.tenantId });
        await store.put(other);
        const otherBefore = await expectStored(store, other.key);
        const result = await mutate(
          store,
          a.key,
          (current) =>
            Object.defineProperty({ ...current }, 'key', flip(a.key, other.key)) as never,
        );
        expect(result?.session.key).toBe(a.key);
        expect(await store.get(other.key)).toStrictEqual(otherBefore);
      });
    });

    describe('outbox reuse (issue 10, defect 5)', () => {
      it('put of { ...stored, outbox: [undefined] } over a shorter stored outbox is invalid_input', async () => {
        const store = await ctx.open();
        const s = edit(sampleSession(), (x) => {
          x.outbox = [];
        });
        await store.put(s);
        const stored = await expectStored(store, s.key);
        await expectSessionError(
          store.put({ ...stored.session, outbox: [undefined] } as never),
          'invalid_input',
          'session.outbox[0]',
        );
        await expectSessionError(
          store.updateCas({ ...stored.session, outbox: [undefined] } as never, stored.cas),
          'invalid_input',
          'session.outbox[0]',
        );
        expect(await store.get(s.key)).toStrictEqual(stored);
      });
    });

    describe('-0 (issue 10, defect 6)', () => {
      it('a -0 label comes back as 0, at any depth', async () => {
        const store = await ctx.open();
        const s = edit(sampleSession(), (x) => {
          x.meta.labels = { z: -0, list: [-0, { y: -0 }] };
        });
        await store.put(s);
        const labels = (await expectStored(store, s.key)).session.meta.labels as {
          z: number;
          list: [number, { y: number }];
        };
        expect(Object.is(labels.z, 0)).toBe(true);
        expect(Object.is(labels.list[0], 0)).toBe(true);
        expect(Object.is(labels.list[1].y, 0)).toBe(true);
      });
    });

    describe('size limits (issue 10, defect 2)', () => {
      it('labels with a million keys are invalid_input and nothing is written', async () => {
        const store = await ctx.open();
        const { a, before } = await victim(store);
        const labels: Record<string, number> = {};
        for (let i = 0; i < 1_000_000; i++) labels[`k${i}`] = i;
        const big = { ...a, meta: { ...a.meta, labels } };
        await expectSessionError(store.put(big), 'invalid_input', 'label values');
        await expectSessionError(store.updateCas(big, before.cas), 'invalid_input', 'label values');
        await expectSessionError(
          store.put({ ...big, key: uniqueKey() }),
          'invalid_input',
          'label values',
        );
        expect(await store.get(a.key)).toStrictEqual(before);
      }, 60_000);

      it('a 200 MB label string is invalid_input and nothing is written', async () => {
        const store = await ctx.open();
        const { a, before } = await victim(store);
        const big = { ...a, meta: { ...a.meta, labels: { huge: 'x'.repeat(200_000_000) } } };
        await expectSessionError(store.put(big), 'invalid_input', 'bytes of JSON');
        await expectSessionError(
          store.updateCas(big, before.cas),
          'invalid_input',
          'bytes of JSON',
        );
        expect(await store.get(a.key)).toStrictEqual(before);
        // The store still answers at once afterwards.
        expect((await store.put(a)) > before.cas).toBe(true);
      }, 60_000);

      it('more than 10,000 outbox entries are invalid_input', async () => {
        const store = await ctx.open();
        const { a, before } = await victim(store);
        const entry = a.outbox[0];
        const many = Array.from({ length: 10_001 }, (_, i) => ({ ...entry, seq: i }));
        await expectSessionError(
          store.put({ ...a, outbox: many } as never),
          'invalid_input',
          'at most 10000 entries',
        );
        expect(await store.get(a.key)).toStrictEqual(before);
      });

      it.skipIf(ctx.openWithLimits === undefined)('limits are configurable per store', async () => {
        const open = ctx.openWithLimits;
        if (open === undefined) return;
        const small = await open({ maxLabelsBytes: 200, maxLabelValues: 8, maxOutboxEntries: 1 });
        const s = edit(sampleSession(), (x) => {
          x.meta.labels = { a: 1 };
          x.outbox = x.outbox.slice(0, 1);
        });
        expect(await small.put(s)).toBe(1);
        await expectSessionError(
          small.put(edit(s, (x) => (x.meta.labels = { a: 'x'.repeat(300) }))),
          'invalid_input',
          'limit of 200 bytes',
        );
        await expectSessionError(
          small.put(edit(s, (x) => (x.meta.labels = { a: [1, 2, 3, 4, 5, 6, 7, 8] }))),
          'invalid_input',
          'limit of 8 label values',
        );
        const two = edit(sampleSession(), (x) => {
          x.meta.labels = { a: 1 };
        });
        expect(two.outbox).toHaveLength(2);
        await expectSessionError(small.put(two), 'invalid_input', 'at most 1 entries');
        // The same session fits a store with default limits.
        const roomy = await ctx.open();
        expect(await roomy.put(two)).toBe(1);
      });
    });
  });
}
