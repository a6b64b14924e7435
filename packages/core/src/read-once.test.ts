import { SessionError, type SessionSnapshot } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { createOutboxEntry, createSession } from './session-helpers.js';
import {
  assertTenantFence,
  parseSession,
  prepareSessionWrite,
  readOptions,
  validateTenantOptions,
} from './validate.js';

const ctx = { pkg: '@greentic/session-test', op: 'check' };

function fresh() {
  const s = structuredClone(
    createSession({
      key: 'k',
      tenantId: 'tenant-b',
      flowId: 'f',
      nodeId: 'n',
      ttlSecs: 60,
      nowMs: 0,
      labels: { list: [1, { deep: 'x' }], n: 2 },
    }),
  ) as unknown as Record<string, unknown> & { outbox: unknown[] };
  s.outbox = [createOutboxEntry(1, 'a', 0), createOutboxEntry(2, 'b', 0)];
  return s;
}

function thrown(fn: () => unknown): SessionError {
  try {
    fn();
  } catch (err) {
    if (SessionError.isInstance(err)) return err;
    throw new Error(`expected a SessionError, got ${String(err)}`);
  }
  throw new Error('expected a SessionError, got a result');
}

/** Replaces every data property, at every level, by a getter that counts its reads. */
function counted(value: unknown, path: string, reads: Map<string, number>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  for (const [k, v] of Object.entries(value)) {
    const child = counted(v, `${path}.${k}`, reads);
    Object.defineProperty(out, k, {
      enumerable: true,
      configurable: true,
      get: () => {
        reads.set(`${path}.${k}`, (reads.get(`${path}.${k}`) ?? 0) + 1);
        return child;
      },
    });
  }
  return out;
}

/** A getter that answers `first` on its first read and `later` on every other. */
function flipping<T>(first: T, later: T): { get: () => T; enumerable: true } {
  let n = 0;
  return { enumerable: true, get: () => (++n === 1 ? first : later) };
}

describe('prepareSessionWrite reads its input once', () => {
  it('reads every property at every level exactly once', () => {
    const reads = new Map<string, number>();
    const input = counted(fresh(), 'session', reads);
    const out = prepareSessionWrite(input, ctx, 0);
    expect(out.meta.labels).toStrictEqual({ list: [1, { deep: 'x' }], n: 2 });
    expect(reads.size).toBeGreaterThan(20);
    for (const [path, count] of reads) expect(count, path).toBe(1);
  });

  it('reads the key once even when a previous snapshot is looked up, and calls the lookup once with it', () => {
    const stored = prepareSessionWrite(fresh(), ctx, 0);
    const reads = new Map<string, number>();
    const asked: string[] = [];
    const input = counted({ ...stored, cursor: { ...stored.cursor, nodeId: 'm' } }, 's', reads);
    const out = prepareSessionWrite(input, ctx, 1, (key) => {
      asked.push(key);
      return stored;
    });
    expect(asked).toStrictEqual(['k']);
    expect(reads.get('s.key')).toBe(1);
    expect(out.cursor.nodeId).toBe('m');
  });

  it('a meta getter answering tenant B first and the victim later yields one consistent copy (issue 10, defect 1)', () => {
    const victimMeta = {
      tenantId: 'tenant-a',
      teamId: null,
      userId: null,
      labels: { pwned: true },
    };
    const evil = fresh();
    const ownMeta = evil.meta;
    Object.defineProperty(evil, 'meta', flipping(ownMeta, victimMeta));
    const copy = prepareSessionWrite(evil, ctx, 0);
    // The copy is what the first (and only) read saw; the fence checks that copy.
    expect(copy.meta.tenantId).toBe('tenant-b');
    expect(copy.meta.labels).not.toHaveProperty('pwned');
    expect(() => assertTenantFence(copy, 'tenant-b', ctx)).not.toThrow();
  });

  it('a Proxy whose tenantId answers differently per read cannot split check and write', () => {
    let n = 0;
    const meta = new Proxy(
      { tenantId: 'tenant-b', teamId: null, userId: null, labels: {} },
      {
        get: (target, prop, receiver) =>
          prop === 'tenantId'
            ? ++n === 1
              ? 'tenant-b'
              : 'tenant-a'
            : Reflect.get(target, prop, receiver),
      },
    );
    const copy = prepareSessionWrite({ ...fresh(), meta }, ctx, 0);
    expect(n).toBe(1);
    expect(copy.meta.tenantId).toBe('tenant-b');
  });

  it('waitReason is read once (it used to be read twice)', () => {
    const s = fresh();
    let n = 0;
    const cursor = { flowId: 'f', nodeId: 'n', outboxSeq: 0 } as Record<string, unknown>;
    Object.defineProperty(cursor, 'waitReason', {
      enumerable: true,
      get: () => (++n === 1 ? null : 42),
    });
    expect(prepareSessionWrite({ ...s, cursor }, ctx, 0).cursor.waitReason).toBeNull();
    expect(n).toBe(1);
  });
});

describe('a throwing getter or Proxy trap gives invalid_input with the cause', () => {
  const boom = new Error('boom');
  const traps = ['get', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'has'] as const;
  const throwing = (target: object, trap: (typeof traps)[number]) =>
    new Proxy(target, {
      [trap]: () => {
        throw boom;
      },
    });
  const places: [string, (p: (target: object) => object) => unknown][] = [
    ['session', (p) => p(fresh())],
    ['cursor', (p) => ({ ...fresh(), cursor: p(fresh().cursor as object) })],
    ['meta', (p) => ({ ...fresh(), meta: p(fresh().meta as object) })],
    [
      'labels',
      (p) => {
        const s = fresh();
        return { ...s, meta: { ...(s.meta as object), labels: p({ a: { b: 1 } }) } };
      },
    ],
    ['outbox', (p) => ({ ...fresh(), outbox: p(fresh().outbox) })],
    ['an outbox entry', (p) => ({ ...fresh(), outbox: [p({ ...createOutboxEntry(1, 'a', 0) })] })],
  ];

  for (const [place, build] of places) {
    for (const trap of traps) {
      it(`a ${trap} trap throwing in ${place}`, () => {
        const input = build((target) => throwing(target, trap));
        let err: SessionError | undefined;
        try {
          prepareSessionWrite(input, ctx, 0);
        } catch (e) {
          err = e as SessionError;
        }
        // Validation never uses `has`, nor reads an array's keys, prototype or
        // descriptors (only its length and elements): such Proxies are valid.
        if (trap === 'has' || (place === 'outbox' && trap !== 'get')) {
          expect(err).toBeUndefined();
          return;
        }
        expect(SessionError.isInstance(err)).toBe(true);
        expect(err?.code).toBe('invalid_input');
        expect(err?.cause).toBe(boom);
      });
    }
  }

  it('a revoked Proxy', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const input of [proxy, { ...fresh(), cursor: proxy }, { ...fresh(), outbox: proxy }]) {
      const err = thrown(() => prepareSessionWrite(input, ctx, 0));
      expect(err.code).toBe('invalid_input');
      expect(err.cause).toBeInstanceOf(TypeError);
    }
  });

  it('a getter that throws a forged SessionError of another code still gives invalid_input', () => {
    const forged = new SessionError('conflict', 'forged');
    const s = fresh();
    Object.defineProperty(s, 'ttlSecs', {
      enumerable: true,
      get: () => {
        throw forged;
      },
    });
    const err = thrown(() => prepareSessionWrite(s, ctx, 0));
    expect(err.code).toBe('invalid_input');
    expect(err.cause).toBe(forged);
  });

  it('a Proxy whose traps lie about the target (an engine TypeError) gives invalid_input', () => {
    const frozen = Object.freeze({ ...fresh() });
    const liar = new Proxy(frozen, { ownKeys: () => ['id'] });
    expect(thrown(() => prepareSessionWrite(liar, ctx, 0)).code).toBe('invalid_input');
  });

  it('parseSession wraps the same way', () => {
    const s = fresh();
    Object.defineProperty(s, 'id', {
      enumerable: true,
      get: () => {
        throw boom;
      },
    });
    const err = thrown(() => parseSession(s));
    expect(err.code).toBe('invalid_input');
    expect(err.cause).toBe(boom);
  });
});

describe('the outbox identity reuse validates what it does not reuse (issue 10, defect 5)', () => {
  it('[undefined] against a shorter stored outbox is invalid_input, not a TypeError', () => {
    const stored = prepareSessionWrite({ ...fresh(), outbox: [] }, ctx, 0);
    const err = thrown(() =>
      prepareSessionWrite({ ...stored, outbox: [undefined] }, ctx, 1, () => stored),
    );
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain('session.outbox[0] must be an object');
  });

  it('an entry validated before is reused as is; a Proxy or copy of it is read and checked', () => {
    const entry = createOutboxEntry(1, 'a', 0);
    const base = { ...fresh(), outbox: [entry] };
    expect(prepareSessionWrite(base, ctx, 0).outbox[0]).toBe(entry);
    let reads = 0;
    const proxy = new Proxy(entry, {
      get: (target, p) => {
        reads++;
        return p === 'seq' ? -1 : Reflect.get(target, p);
      },
    });
    // (The trap breaks the frozen target's invariants: reading it throws.)
    const err = thrown(() => prepareSessionWrite({ ...base, outbox: [proxy] }, ctx, 0));
    expect(reads).toBeGreaterThan(0);
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain('session.outbox[0]');
    // A Proxy of a plain copy is checked on what it answers.
    const lying = new Proxy(
      { ...entry },
      { get: (t, p) => (p === 'seq' ? -1 : Reflect.get(t, p)) },
    );
    expect(
      thrown(() => prepareSessionWrite({ ...base, outbox: [lying] }, ctx, 0)).message,
    ).toContain('session.outbox[0].seq');
    const copy = { ...entry, payloadSha256: 'not hex' };
    expect(
      thrown(() => prepareSessionWrite({ ...base, outbox: [copy] }, ctx, 0)).message,
    ).toContain('payloadSha256');
  });

  it('an entry past the end of the stored outbox is validated', () => {
    const stored = prepareSessionWrite(fresh(), ctx, 0);
    const err = thrown(() =>
      prepareSessionWrite(
        { ...stored, outbox: [...stored.outbox, { seq: -1 }] },
        ctx,
        1,
        () => stored,
      ),
    );
    expect(err.message).toContain('session.outbox[2]');
  });
});

describe('-0 is stored as 0 (issue 10, defect 6)', () => {
  it('in labels at any depth, in outboxSeq, seq and ttlSecs', () => {
    const s = fresh();
    const out = prepareSessionWrite(
      {
        ...s,
        cursor: { ...(s.cursor as object), outboxSeq: -0 },
        meta: { ...(s.meta as object), labels: { z: -0, list: [-0, { y: -0 }] } },
        outbox: [{ ...createOutboxEntry(1, 'a', 0), seq: -0 }],
        ttlSecs: -0,
      },
      ctx,
      0,
    );
    const labels = out.meta.labels as { z: number; list: [number, { y: number }] };
    expect(Object.is(labels.z, 0)).toBe(true);
    expect(Object.is(labels.list[0], 0)).toBe(true);
    expect(Object.is(labels.list[1].y, 0)).toBe(true);
    expect(Object.is(out.cursor.outboxSeq, 0)).toBe(true);
    expect(Object.is(out.outbox[0]?.seq, 0)).toBe(true);
    expect(Object.is(out.ttlSecs, 0)).toBe(true);
  });
});

describe('assertTenantFence', () => {
  const copy = (): SessionSnapshot => prepareSessionWrite(fresh(), ctx, 0);

  it('passes unfenced writes and writes of the fenced tenant', () => {
    expect(() => assertTenantFence(copy(), undefined, ctx)).not.toThrow();
    expect(() => assertTenantFence(copy(), 'tenant-b', ctx)).not.toThrow();
  });

  it('throws tenant_mismatch naming both tenants for another tenant', () => {
    const err = thrown(() => assertTenantFence(copy(), 'tenant-a', ctx));
    expect(err.code).toBe('tenant_mismatch');
    expect(err.message).toBe(
      '[@greentic/session-test] check: session.meta.tenantId "tenant-b" is not the fenced tenant "tenant-a"; nothing was written',
    );
  });
});

describe('options are plain objects, read once (issue 10, defect 6)', () => {
  it.each([
    ['a Date', new Date(), 'opts must be a plain object, got Date'],
    ['a Map', new Map(), 'opts must be a plain object, got Map'],
    ['a class instance', new (class Options {})(), 'opts must be a plain object, got Options'],
    ['an array', [], 'opts must be an object, got an array'],
    ['a string', 'acme', 'opts must be an object'],
    ['null', null, 'opts must be an object, got null'],
  ])('validateTenantOptions rejects %s', (_label, opts, text) => {
    const err = thrown(() => validateTenantOptions(opts, ctx));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain(text);
  });

  it('accepts a null-prototype object', () => {
    expect(validateTenantOptions(Object.assign(Object.create(null), { tenantId: 'a' }), ctx)).toBe(
      'a',
    );
  });

  it('reads tenantId once', () => {
    const opts = {};
    Object.defineProperty(opts, 'tenantId', flipping('tenant-b', 'tenant-a'));
    expect(validateTenantOptions(opts, ctx)).toBe('tenant-b');
  });

  it('turns a throwing getter or trap into invalid_input', () => {
    const err = thrown(() =>
      readOptions(
        new Proxy(
          {},
          {
            ownKeys: () => {
              throw new RangeError('x');
            },
          },
        ),
        ['a'],
        ctx,
      ),
    );
    expect(err.code).toBe('invalid_input');
    expect(err.cause).toBeInstanceOf(RangeError);
  });

  it('a hostile prototype cannot make the message throw', () => {
    const proto = {};
    Object.defineProperty(proto, 'constructor', {
      get: () => {
        throw new Error('no');
      },
    });
    const err = thrown(() => readOptions(Object.create(proto), [], ctx));
    expect(err.message).toContain('opts must be a plain object, got an object');
  });
});
