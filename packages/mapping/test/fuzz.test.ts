import { SESSION_PATTERNS, SessionError } from '@greentic/session-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  sessionKeyFromParts,
  telegramSessionKeyV2,
  telegramUpdateToSessionKey,
  webhookSessionKeyV2,
  webhookToSessionKey,
} from '../src/index.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = process.env.FUZZ_SEED === undefined ? 20261127 : Number(process.env.FUZZ_SEED);

const boom = () => {
  throw new Error('boom');
};

/** Values no generator produces as data: Proxies, revoked ones, getters, sparse arrays. */
const hostile = fc.constantFrom(
  'revoked',
  'throwingGet',
  'throwingOwnKeys',
  'getterPart',
  'sparse',
  'hugeLength',
  'symbol',
  'bigint',
  'function',
);

function build(name: string): unknown {
  switch (name) {
    case 'revoked': {
      const { proxy, revoke } = Proxy.revocable([], {});
      revoke();
      return proxy;
    }
    case 'throwingGet':
      return new Proxy(['a'], { get: boom });
    case 'throwingOwnKeys':
      return new Proxy(['a'], { ownKeys: boom });
    case 'getterPart':
      return Object.defineProperty(['a'], 0, { get: boom });
    case 'sparse':
      return new Array(3);
    case 'hugeLength':
      return new Proxy(['a'], {
        get: (t, k, r) => (k === 'length' ? 2 ** 32 - 1 : Reflect.get(t, k, r)),
      });
    case 'symbol':
      return Symbol('s');
    case 'bigint':
      return 1n;
    default:
      return () => 1;
  }
}

const weird = fc.constantFrom(
  '',
  ':',
  '\0',
  '\r\n',
  '{',
  '}',
  '\uD800',
  'a\uDC00',
  '__proto__',
  '\u{1F600}',
);
// Hostile values are built inside the property from a name: fast-check itself
// inspects generated values, and a revoked Proxy would make it throw.
const value = fc.oneof(
  fc.anything().map((plain) => ({ plain })),
  fc.string({ unit: 'binary' }).map((plain) => ({ plain })),
  weird.map((plain) => ({ plain })),
  fc.integer().map((plain) => ({ plain })),
  fc.double().map((plain) => ({ plain })),
  hostile.map((name) => ({ name })),
);
const make = (v: { plain: unknown } | { name: string }): unknown =>
  'plain' in v ? v.plain : build(v.name);

function outcome(call: () => unknown): 'key' | 'invalid_input' {
  let result: unknown;
  try {
    result = call();
  } catch (err) {
    if (!SessionError.isInstance(err)) throw new Error(`raw error: ${String(err)}`, { cause: err });
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/^\[@greentic\/session-mapping\] /);
    return 'invalid_input';
  }
  expect(result).toMatch(SESSION_PATTERNS.sha256Hex);
  return 'key';
}

describe('mapping fuzz', () => {
  it(`every function gives a 64-hex key or invalid_input for any arguments, never a raw error (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(value, value, value, value, (va, vb, vc, vp) => {
        const [a, b, c, parts] = [make(va), make(vb), make(vc), make(vp)];
        outcome(() => telegramUpdateToSessionKey(a as never, b as never, c as never));
        outcome(() => webhookToSessionKey(a as never, b as never, c as never));
        outcome(() => telegramSessionKeyV2(a as never, b as never, c as never));
        outcome(() => webhookSessionKeyV2(a as never, b as never, c as never));
        outcome(() => sessionKeyFromParts(a as never, parts as never));
        outcome(() => sessionKeyFromParts('ns', parts as never));
        outcome(() => sessionKeyFromParts('ns', [a, b, c] as never));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`the Rust-compatible functions accept exactly strings without lone surrogates and safe integers (${RUNS} runs)`, () => {
    const wellFormed = (v: unknown) =>
      (typeof v === 'string' && !/\p{Surrogate}/u.test(v)) ||
      (typeof v === 'number' && Number.isSafeInteger(v));
    fc.assert(
      fc.property(value, value, value, (va, vb, vc) => {
        const [a, b, c] = [make(va), make(vb), make(vc)];
        const expected = [a, b, c].every(wellFormed) ? 'key' : 'invalid_input';
        expect(outcome(() => telegramUpdateToSessionKey(a as never, b as never, c as never))).toBe(
          expected,
        );
        expect(outcome(() => webhookToSessionKey(a as never, b as never, c as never))).toBe(
          expected,
        );
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
