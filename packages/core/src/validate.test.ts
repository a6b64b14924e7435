import { SessionError } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { frozenJsonCopy, mutableJsonCopy } from './json.js';
import { createOutboxEntry, createSession } from './session-helpers.js';
import {
  isIsoUtcTimestamp,
  isValidatedOutboxEntry,
  isValidSession,
  parseSession,
  prepareSessionWrite,
  validateCas,
  validateSessionKey,
  validateTenantId,
  validateTenantOptions,
  validateTouchTtl,
  validateTtlSecs,
} from './validate.js';

const ctx = { pkg: '@greentic/session-test', op: 'check' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return SessionError.isInstance(err) ? err.code : `not a SessionError: ${String(err)}`;
  }
  return undefined;
}

function base() {
  const s = structuredClone(
    createSession({ key: 'k', tenantId: 'acme', flowId: 'f', nodeId: 'n', ttlSecs: 60, nowMs: 0 }),
  ) as ReturnType<typeof structuredClone<ReturnType<typeof createSession>>> & { outbox: unknown[] };
  return s;
}

describe('prepareSessionWrite', () => {
  it('stamps updatedAt, dedupes the outbox keeping first occurrences, and freezes a copy', () => {
    const a = createOutboxEntry(1, 'a', 0);
    const b = createOutboxEntry(2, 'b', 0);
    const aAgain = createOutboxEntry(1, 'a', 5000);
    const input = { ...base(), outbox: [a, b, aAgain, b] };
    const out = prepareSessionWrite(input, ctx, Date.parse('2026-05-05T05:05:05.005Z'));
    expect(out.updatedAt).toBe('2026-05-05T05:05:05.005Z');
    expect(out.outbox).toStrictEqual([a, b]);
    expect(Object.isFrozen(out.outbox[0])).toBe(true);
    expect(Object.isFrozen(input)).toBe(false);
    expect(input.outbox).toHaveLength(4);
  });

  it('reuses validated frozen parts of a snapshot and copies only what changed', () => {
    const stored = prepareSessionWrite(
      { ...base(), outbox: [createOutboxEntry(1, 'a', 0)] },
      ctx,
      0,
    );
    const entry = createOutboxEntry(2, 'b', 0);
    const next = prepareSessionWrite(
      { ...stored, cursor: { ...stored.cursor, nodeId: 'm' }, outbox: [...stored.outbox, entry] },
      ctx,
      1000,
      () => stored,
    );
    expect(next.meta).toBe(stored.meta);
    expect(next.outbox[0]).toBe(stored.outbox[0]);
    expect(next.outbox[1]).toStrictEqual(entry);
    expect(next.cursor).not.toBe(stored.cursor);
    expect(next.cursor.nodeId).toBe('m');
    const restamped = prepareSessionWrite(next, ctx, 2000, () => next);
    expect(restamped.updatedAt).toBe('1970-01-01T00:00:02.000Z');
    expect(restamped.cursor).toBe(next.cursor);
    expect(prepareSessionWrite(next, ctx, 2000).meta).not.toBe(next.meta);
  });

  it('reuses stored outbox entries shifted left by a trimmed front, and validates everything else', () => {
    const stored = prepareSessionWrite(
      { ...base(), outbox: [1, 2, 3].map((seq) => createOutboxEntry(seq, `m${seq}`, 0)) },
      ctx,
      0,
    );
    const fresh = createOutboxEntry(4, 'm4', 0);
    const next = prepareSessionWrite(
      { ...stored, outbox: [...stored.outbox.slice(1), fresh] },
      ctx,
      0,
      () => stored,
    );
    expect(next.outbox[0]).toBe(stored.outbox[1]);
    expect(next.outbox[1]).toBe(stored.outbox[2]);
    // createOutboxEntry's frozen result was checked when it was built: reused too.
    expect(next.outbox[2]).toBe(fresh);
    const plain = { ...createOutboxEntry(5, 'm5', 0) };
    const again = prepareSessionWrite({ ...stored, outbox: [plain] }, ctx, 0, () => stored);
    expect(again.outbox[0]).not.toBe(plain);
    expect(again.outbox[0]).toStrictEqual(plain);
    // A damaged entry after the shifted run, or a look-alike in the run, is still caught.
    const bad = { ...fresh, payloadSha256: 'nope' };
    for (const outbox of [
      [...stored.outbox.slice(1), bad],
      [stored.outbox[1], { ...stored.outbox[2], createdAt: 'yesterday' }],
      [{ ...stored.outbox[1], seq: -1 }, stored.outbox[2]],
    ]) {
      expect(codeOf(() => prepareSessionWrite({ ...stored, outbox }, ctx, 0, () => stored))).toBe(
        'invalid_input',
      );
    }
  });

  it('isValidatedOutboxEntry: true only for entries core built or validated, without reading them', () => {
    const built = createOutboxEntry(1, 'm1', 0);
    const stored = prepareSessionWrite({ ...base(), outbox: [{ ...built }] }, ctx, 0);
    expect(isValidatedOutboxEntry(built)).toBe(true);
    // A plain entry the write validated: its frozen copy is one, the caller's object is not.
    expect(isValidatedOutboxEntry(stored.outbox[0])).toBe(true);
    expect(isValidatedOutboxEntry({ ...built })).toBe(false);
    expect(isValidatedOutboxEntry(Object.freeze({ ...built }))).toBe(false);
    for (const v of [undefined, null, 1, 'x', [], stored])
      expect(isValidatedOutboxEntry(v)).toBe(false);
    // A Proxy of a validated entry is another object, and no trap runs.
    const trap = () => {
      throw new Error('trap ran');
    };
    const proxy = new Proxy(built, { get: trap, getPrototypeOf: trap, ownKeys: trap, has: trap });
    expect(isValidatedOutboxEntry(proxy)).toBe(false);
  });

  it('a look-alike that is not a validated snapshot is still validated', () => {
    const stored = prepareSessionWrite(base(), ctx, 0);
    const forged = { ...stored.meta, tenantId: 'a:b' };
    expect(() => prepareSessionWrite({ ...stored, meta: forged }, ctx, 0)).toThrow(
      'session.meta.tenantId',
    );
  });

  it('emits fields in canonical order whatever order the caller used', () => {
    const { ttlSecs, id, ...rest } = base();
    const out = prepareSessionWrite({ ttlSecs, ...rest, id }, ctx, 0);
    expect(Object.keys(out)).toStrictEqual([
      'id',
      'key',
      'cursor',
      'meta',
      'outbox',
      'updatedAt',
      'ttlSecs',
    ]);
  });

  it('names the first bad field and the operation in the message', () => {
    const bad = { ...base(), ttlSecs: -5 };
    expect(() => prepareSessionWrite(bad, ctx, 0)).toThrow(
      '[@greentic/session-test] check: session.ttlSecs must be an integer 0..2147483647, got -5',
    );
  });

  it('keeps a label named __proto__ as data without touching the prototype', () => {
    const labels = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}');
    const out = prepareSessionWrite({ ...base(), meta: { ...base().meta, labels } }, ctx, 0);
    expect(Object.getPrototypeOf(out.meta.labels)).toBe(Object.prototype);
    expect(Object.keys(out.meta.labels)).toStrictEqual(['__proto__', 'ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects missing nested fields and unknown nested fields', () => {
    const { flowId: _f, ...cursor } = base().cursor;
    expect(() => prepareSessionWrite({ ...base(), cursor }, ctx, 0)).toThrow(
      'session.cursor.flowId is required',
    );
    expect(() =>
      prepareSessionWrite({ ...base(), meta: { ...base().meta, extra: 1 } }, ctx, 0),
    ).toThrow('session.meta.extra is not a known field');
    expect(() =>
      prepareSessionWrite(
        { ...base(), outbox: [{ ...createOutboxEntry(1, 'x'), extra: true }] },
        ctx,
        0,
      ),
    ).toThrow('session.outbox[0].extra is not a known field');
  });

  it('accepts only plain objects with own fields, like JSON', () => {
    const cursorAsDate = Object.assign(new Date(0), base().cursor);
    expect(() => prepareSessionWrite({ ...base(), cursor: cursorAsDate }, ctx, 0)).toThrow(
      'session.cursor must be a plain object, got Date',
    );
    const inherited = Object.assign(Object.create({ ttlSecs: 60 }), {
      ...base(),
      ttlSecs: undefined,
    });
    delete inherited.ttlSecs;
    expect(() => prepareSessionWrite(inherited, ctx, 0)).toThrow('session must be a plain object');
    const nullProto = Object.assign(Object.create(null), base());
    expect(prepareSessionWrite(nullProto, ctx, 0).key).toBe('k');
  });

  it('rejects oversize text, outbox and key', () => {
    const long = 'x'.repeat(1025);
    expect(
      codeOf(() =>
        prepareSessionWrite({ ...base(), cursor: { ...base().cursor, nodeId: long } }, ctx, 0),
      ),
    ).toBe('invalid_input');
    const many = Array.from({ length: 10_001 }, (_, i) => createOutboxEntry(i, 'p', 0));
    expect(() => prepareSessionWrite({ ...base(), outbox: many }, ctx, 0)).toThrow(
      'at most 10000 entries',
    );
  });
});

describe('parseSession and isValidSession', () => {
  it('keep updatedAt and accept what createSession builds', () => {
    const s = base();
    expect(parseSession(s).updatedAt).toBe('1970-01-01T00:00:00.000Z');
    expect(isValidSession(s)).toBe(true);
    expect(isValidSession({ ...s, id: 'nope' })).toBe(false);
    expect(isValidSession(null)).toBe(false);
  });
});

describe('scalar validators', () => {
  it('validateSessionKey', () => {
    expect(validateSessionKey('tg:1:2', ctx)).toBe('tg:1:2');
    for (const k of ['', 'a b', '{', '}', 'ä', 'k'.repeat(513), 1, null]) {
      expect(
        codeOf(() => validateSessionKey(k, ctx)),
        String(k),
      ).toBe('invalid_input');
    }
    expect(validateSessionKey('k'.repeat(512), ctx)).toHaveLength(512);
  });

  it('validateTenantId', () => {
    expect(validateTenantId('acme-1.eu_west', ctx)).toBe('acme-1.eu_west');
    for (const t of ['', 'a:b', '*', 'lookup', '_x', 't'.repeat(129), 5]) {
      expect(
        codeOf(() => validateTenantId(t, ctx)),
        String(t),
      ).toBe('invalid_input');
    }
  });

  it('validateTtlSecs, validateTouchTtl and validateCas', () => {
    expect(validateTtlSecs(0, ctx)).toBe(0);
    expect(validateTtlSecs(2 ** 31 - 1, ctx)).toBe(2 ** 31 - 1);
    expect(validateTouchTtl(undefined, ctx)).toBeNull();
    expect(validateTouchTtl(null, ctx)).toBeNull();
    expect(validateTouchTtl(5, ctx)).toBe(5);
    expect(codeOf(() => validateTouchTtl(-1, ctx))).toBe('invalid_input');
    expect(validateCas(0, ctx)).toBe(0);
    expect(codeOf(() => validateCas(-1, ctx))).toBe('invalid_input');
    expect(() => validateCas('1', ctx)).toThrow(
      'expected must be a non-negative safe integer, got "1" (length 1)',
    );
  });

  it('validateTenantOptions', () => {
    expect(validateTenantOptions(undefined, ctx)).toBeUndefined();
    expect(validateTenantOptions({}, ctx)).toBeUndefined();
    expect(validateTenantOptions({ tenantId: undefined }, ctx)).toBeUndefined();
    expect(validateTenantOptions({ tenantId: 'acme' }, ctx)).toBe('acme');
    expect(() => validateTenantOptions({ tenant: 'acme' }, ctx)).toThrow(
      'opts.tenant is not a known option',
    );
    expect(() => validateTenantOptions([], ctx)).toThrow('opts must be an object');
  });

  it('isIsoUtcTimestamp checks the calendar', () => {
    const ok = [
      '2024-02-29T00:00:00Z',
      '2026-12-31T23:59:59.999Z',
      '2000-02-29T12:00:00.123456Z',
      '2400-02-29T00:00:00Z',
      '2026-02-28T00:00:00Z',
      '2026-01-31T00:00:00Z',
      '2026-04-30T00:00:00Z',
    ];
    const bad = [
      '2026-02-29T00:00:00Z',
      '1900-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '2024-02-30T00:00:00Z',
      '2026-06-31T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-01-00T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:60:00Z',
      '2026-01-01T23:59:60Z',
      '2026-01-01T00:00:00+00:00',
      '2026-01-01',
      12,
    ];
    for (const v of ok) expect(isIsoUtcTimestamp(v), v).toBe(true);
    for (const v of bad) expect(isIsoUtcTimestamp(v), String(v)).toBe(false);
  });
});

describe('frozenJsonCopy', () => {
  it('copies and deep-freezes plain JSON, including null-prototype objects', () => {
    const source = { a: [1, { b: null }], c: Object.assign(Object.create(null), { d: 'x' }) };
    const copy = frozenJsonCopy(source, 'v', ctx) as typeof source;
    expect(copy).toStrictEqual({ a: [1, { b: null }], c: { d: 'x' } });
    expect(copy).not.toBe(source);
    expect(Object.isFrozen(copy.a[1])).toBe(true);
    expect(Object.isFrozen(source)).toBe(false);
  });

  it('rejects non-JSON values with the path', () => {
    const cases: [unknown, string][] = [
      [{ a: [1, undefined] }, 'v.a[1]'],
      [{ a: Number.POSITIVE_INFINITY }, 'v.a must be a finite number'],
      [{ a: 1n }, 'v.a'],
      [{ a: Symbol('s') }, 'v.a'],
      [new Map(), 'v must be a plain object, got Map'],
      [[new (class Thing {})()], 'got Thing'],
    ];
    for (const [value, text] of cases) expect(() => frozenJsonCopy(value, 'v', ctx)).toThrow(text);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(() => frozenJsonCopy(deep, 'v', ctx)).toThrow('nests deeper than 32 levels');
  });
});

describe('mutableJsonCopy', () => {
  /** Every object and array reachable from `v`, in visit order. */
  function containers(v: unknown, out: object[] = []): object[] {
    if (typeof v === 'object' && v !== null) {
      out.push(v);
      for (const child of Object.values(v)) containers(child, out);
    }
    return out;
  }

  it("copies a snapshot's frozen data into mutable JSON that shares no object with it", () => {
    const data = JSON.parse(
      '{"n":1,"s":"x","b":false,"z":null,"list":[{"a":[1,2]},[]],"__proto__":{"own":true}}',
    );
    const session = parseSession({
      ...createSession({ key: 'k', tenantId: 'acme', flowId: 'f', nodeId: 'n', ttlSecs: 0 }),
      data,
    });
    const copy = mutableJsonCopy(session.data, ctx) as Record<string, unknown>;
    expect(copy).toStrictEqual(structuredClone(session.data));
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    const theirs = new Set(containers(session.data));
    for (const c of containers(copy)) {
      expect(theirs.has(c)).toBe(false);
      expect(Object.isFrozen(c)).toBe(false);
    }
    (copy.list as { a: number[] }[])[0]?.a.push(3);
    copy.n = 2;
    expect(session.data).toStrictEqual(data);
    // A null-prototype object (JSON has no prototypes) becomes a plain one.
    expect(Object.getPrototypeOf(mutableJsonCopy(Object.create(null), ctx))).toBe(Object.prototype);
  });

  it('gives what structuredClone gives on random JSON', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const keys = ['a', 'b', '__proto__', 'constructor', '', '0', 'é'];
    const tree = (depth: number): unknown => {
      const r = random();
      if (depth > 4 || r < 0.3) return [1.5, -3, 'text', true, null, 0][Math.floor(random() * 6)];
      if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => tree(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 4); i > 0; i--) {
        Object.defineProperty(o, keys[Math.floor(random() * keys.length)] as string, {
          value: tree(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return o;
    };
    for (let i = 0; i < 300; i++) {
      const value = tree(0);
      const copy = mutableJsonCopy(value, ctx);
      const clone = structuredClone(value);
      // Not toStrictEqual: it compares `.constructor`, here often an own key.
      expect(copy).toEqual(clone);
      expect(JSON.stringify(copy)).toBe(JSON.stringify(clone));
      for (const c of containers(copy)) {
        expect(Object.getPrototypeOf(c)).toBe(
          Array.isArray(c) ? Array.prototype : Object.prototype,
        );
      }
    }
  });

  it('rejects anything but plain JSON with invalid_input, naming what it found', () => {
    const cases: [unknown, string][] = [
      [{ a: [1, undefined] }, 'found undefined'],
      [{ a: Number.NaN }, 'found NaN'],
      [{ a: Number.POSITIVE_INFINITY }, 'found Infinity'],
      [{ a: 1n }, 'data must be plain JSON'],
      [{ a: Symbol('s') }, 'data must be plain JSON'],
      [{ a: () => 1 }, 'data must be plain JSON'],
      [new Map(), 'found Map'],
      [[new Date(0)], 'found Date'],
      [{ a: new (class Thing {})() }, 'found Thing'],
    ];
    for (const [value, text] of cases) {
      expect(codeOf(() => mutableJsonCopy(value, ctx))).toBe('invalid_input');
      expect(() => mutableJsonCopy(value, ctx)).toThrow(text);
    }
    // Without a context, the error names core's own operation.
    expect(() => mutableJsonCopy(Number.NaN)).toThrow('[@greentic/session-core] mutableJsonCopy');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => mutableJsonCopy(cycle, ctx, 'labels')).toThrow(
      'labels nests deeper than 32 levels',
    );
    let deep: unknown = 1;
    for (let i = 0; i < 33; i++) deep = [deep];
    expect(() => mutableJsonCopy(deep, ctx)).toThrow('nests deeper than 32 levels');
    let deepest: unknown = 1;
    for (let i = 0; i < 32; i++) deepest = [deepest];
    expect(mutableJsonCopy(deepest, ctx)).toStrictEqual(deepest);
  });

  it('turns a throwing getter or Proxy trap into invalid_input', () => {
    const getter = Object.defineProperty({}, 'a', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('boom');
        },
      },
    );
    for (const value of [getter, { nested: trap }]) {
      expect(codeOf(() => mutableJsonCopy(value, ctx))).toBe('invalid_input');
      expect(() => mutableJsonCopy(value, ctx)).toThrow('could not be read');
    }
  });
});
