import { SESSION_PATTERNS } from '@greentic/session-types';
import fc from 'fast-check';

// fast-check generates plain-data recipes; `materialise` turns one into the
// hostile object (getters, Proxies, cycles…) at run time, when the victim's
// key and tenant of that run are known.

/** A value the run supplies: the victim's and the attacker's identifiers and data. */
export type RefName =
  | 'victimKey'
  | 'ownKey'
  | 'freshKey'
  | 'tenantA'
  | 'tenantB'
  | 'victimMeta'
  | 'victimCursor'
  | 'victimOutbox'
  | 'victimLabels'
  | 'victimSession';

/** Objects fast-check cannot produce as data; built fresh at run time. */
export type SpecialName =
  | 'function'
  | 'symbol'
  | 'bigint'
  | 'date'
  | 'map'
  | 'classInstance'
  | 'cycle'
  | 'deep'
  | 'wide'
  | 'hugeString'
  | 'sparse'
  | 'nullProto'
  | 'protoKey'
  | 'revoked'
  | 'throwingProxy';

/** One leaf of a recipe. */
export type Leaf = { plain: unknown } | { ref: RefName } | { special: SpecialName };

/** How an object at a path is replaced by a hostile version of itself. */
export type WrapName =
  | 'throw:get'
  | 'throw:ownKeys'
  | 'throw:getPrototypeOf'
  | 'throw:getOwnPropertyDescriptor'
  | 'flipGet'
  | 'getters'
  | 'revoked'
  | 'nullProto'
  | 'frozen'
  | 'phantomKeys';

/** What a mutation does at its path. */
export type Action =
  | { op: 'set'; value: Leaf }
  | { op: 'delete' }
  | { op: 'flip'; first: Leaf; later: Leaf }
  | { op: 'throwGetter' }
  | { op: 'wrap'; how: WrapName };

/** One change to a valid session. */
export interface Mutation {
  path: string;
  action: Action;
}

/** A session to write: a valid base (key, tenant) and changes to it. */
export interface SessionRecipe {
  key: 'victimKey' | 'ownKey' | 'freshKey';
  tenant: 'tenantA' | 'tenantB';
  /** `stored`: start from a spread of the stored snapshot (exercises identity reuse). */
  base: 'fresh' | 'stored';
  mutations: Mutation[];
}

/** Thrown by hostile getters and traps; a store must turn it into `invalid_input`. */
export class FuzzTrapError extends Error {
  override readonly name = 'FuzzTrapError';
}

const STRINGS = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '{',
  '}',
  '{x}',
  'a{b}c',
  ':',
  'a:b',
  '\0',
  'a\0b',
  '\r\n',
  'a\nb',
  'lookup',
  'é',
  '\u{1F44B}',
  '\uD800',
  '\uDC00x',
  'k'.repeat(513),
  't'.repeat(129),
  'f'.repeat(1025),
  '*',
  '?',
  '[a]',
  '$',
  '%00',
  '2026-02-30T00:00:00Z',
  '00000000-0000-4000-8000-000000000000',
  'A'.repeat(64),
  'a'.repeat(64),
];

const CHARS = [
  'a',
  '0',
  '{',
  '}',
  ':',
  '\0',
  '\r',
  '\n',
  '\uD800',
  '\uDFFF',
  'é',
  '_',
  '-',
  '.',
  ' ',
];

/** Strings with prototype names, braces, separators, NUL/CR/LF, lone surrogates, unicode. */
export const weirdString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      maxLength: 8,
    }),
  },
);

const weirdNumber = fc.oneof(
  fc.constantFrom(
    -0,
    0,
    1,
    2,
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 53 - 1,
    2 ** 53,
    1e308,
    5e-324,
  ),
  fc.integer(),
  fc.double(),
);

const SPECIALS: SpecialName[] = [
  'function',
  'symbol',
  'bigint',
  'date',
  'map',
  'classInstance',
  'cycle',
  'deep',
  'wide',
  'hugeString',
  'sparse',
  'nullProto',
  'protoKey',
  'revoked',
  'throwingProxy',
];

const REFS: RefName[] = [
  'victimKey',
  'ownKey',
  'freshKey',
  'tenantA',
  'tenantB',
  'victimMeta',
  'victimCursor',
  'victimOutbox',
  'victimLabels',
  'victimSession',
];

/** Any leaf: the run's identifiers and victim data, weird strings and numbers, JSON, specials. */
export const leaf: fc.Arbitrary<Leaf> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...REFS).map((ref): Leaf => ({ ref })) },
  { weight: 3, arbitrary: weirdString.map((plain): Leaf => ({ plain })) },
  { weight: 2, arbitrary: weirdNumber.map((plain): Leaf => ({ plain })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, undefined, true, false).map((plain): Leaf => ({ plain })),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((plain): Leaf => ({ plain })) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIALS).map((special): Leaf => ({ special })) },
);

const WRAPS: WrapName[] = [
  'throw:get',
  'throw:ownKeys',
  'throw:getPrototypeOf',
  'throw:getOwnPropertyDescriptor',
  'flipGet',
  'getters',
  'revoked',
  'nullProto',
  'frozen',
  'phantomKeys',
];

/** Paths a mutation may target; '' is the session itself. */
export const PATHS = [
  '',
  'id',
  'key',
  'cursor',
  'cursor.flowId',
  'cursor.nodeId',
  'cursor.waitReason',
  'cursor.outboxSeq',
  'meta',
  'meta.tenantId',
  'meta.teamId',
  'meta.userId',
  'meta.labels',
  'meta.labels.locale',
  'meta.labels.nested',
  'meta.labels.nested.list',
  'meta.labels.__proto__',
  'meta.labels.constructor',
  'outbox',
  'outbox.0',
  'outbox.0.seq',
  'outbox.0.payloadSha256',
  'outbox.0.createdAt',
  'outbox.1',
  'outbox.3',
  'updatedAt',
  'ttlSecs',
  '__proto__',
  'constructor',
  'extra',
];

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: leaf.map((value): Action => ({ op: 'set', value })) },
  { weight: 1, arbitrary: fc.constant<Action>({ op: 'delete' }) },
  {
    weight: 4,
    arbitrary: fc.tuple(leaf, leaf).map(([first, later]): Action => ({ op: 'flip', first, later })),
  },
  { weight: 1, arbitrary: fc.constant<Action>({ op: 'throwGetter' }) },
  { weight: 3, arbitrary: fc.constantFrom(...WRAPS).map((how): Action => ({ op: 'wrap', how })) },
);

/** One change at a random path. */
export const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.constantFrom(...PATHS),
  action,
});

/** A session recipe: a valid base with 0–4 hostile changes. */
export const sessionRecipe: fc.Arbitrary<SessionRecipe> = fc.record({
  key: fc.constantFrom('victimKey', 'ownKey', 'freshKey'),
  tenant: fc.constantFrom('tenantA', 'tenantB'),
  base: fc.constantFrom('fresh', 'stored'),
  mutations: fc.array(mutation, { maxLength: 4 }),
});

/** What a run supplies to `materialise`. */
export interface RunRefs {
  /** Returns a fresh value for a reference (a copy: never the stored object). */
  ref(name: RefName): unknown;
  /** Every string that could be a session key seen while building; the run snapshots them. */
  readonly keys: Set<string>;
}

let hugeString: string | undefined;

function special(name: SpecialName): unknown {
  switch (name) {
    case 'function':
      return () => 1;
    case 'symbol':
      return Symbol('s');
    case 'bigint':
      return 10n;
    case 'date':
      return new Date(0);
    case 'map':
      return new Map([['a', 1]]);
    case 'classInstance':
      return new (class Labels {
        a = 1;
      })();
    case 'cycle': {
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    }
    case 'deep': {
      let v: unknown = 'leaf';
      for (let i = 0; i < 40; i++) v = i % 2 === 0 ? [v] : { d: v };
      return v;
    }
    case 'wide': {
      const o: Record<string, number> = {};
      for (let i = 0; i < 12_000; i++) o[`w${i}`] = i;
      return o;
    }
    case 'hugeString':
      hugeString ??= 'x'.repeat(2_000_000);
      return hugeString;
    case 'sparse':
      return new Array(2 ** 32 - 1);
    case 'nullProto':
      return Object.assign(Object.create(null), { a: 1 });
    case 'protoKey':
      return JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}}');
    case 'revoked': {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }
    case 'throwingProxy':
      return new Proxy(
        {},
        {
          get: () => {
            throw new FuzzTrapError('get');
          },
          ownKeys: () => {
            throw new FuzzTrapError('ownKeys');
          },
        },
      );
  }
}

/** Builds the value of a leaf; registers strings that could be keys. */
export function leafValue(l: Leaf, refs: RunRefs): unknown {
  let v: unknown;
  if ('plain' in l) v = l.plain;
  else if ('ref' in l) v = refs.ref(l.ref);
  else v = special(l.special);
  if (typeof v === 'string' && SESSION_PATTERNS.sessionKey.test(v) && v.length <= 512)
    refs.keys.add(v);
  return v;
}

const isContainer = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null;

function wrap(target: Record<string, unknown>, how: WrapName, refs: RunRefs): unknown {
  const trap = (name: string) => () => {
    throw new FuzzTrapError(name);
  };
  switch (how) {
    case 'throw:get':
      return new Proxy(target, { get: trap('get') });
    case 'throw:ownKeys':
      return new Proxy(target, { ownKeys: trap('ownKeys') });
    case 'throw:getPrototypeOf':
      return new Proxy(target, { getPrototypeOf: trap('getPrototypeOf') });
    case 'throw:getOwnPropertyDescriptor':
      return new Proxy(target, { getOwnPropertyDescriptor: trap('getOwnPropertyDescriptor') });
    case 'flipGet': {
      // Every property answers honestly once, then the victim's data.
      const reads = new Map<PropertyKey, number>();
      return new Proxy(target, {
        get: (t, p, r) => {
          const n = (reads.get(p) ?? 0) + 1;
          reads.set(p, n);
          return n === 1 ? Reflect.get(t, p, r) : victimPart(p, refs);
        },
      });
    }
    case 'getters': {
      const out: Record<string, unknown> = Array.isArray(target)
        ? ([] as unknown as Record<string, unknown>)
        : {};
      for (const k of Object.keys(target)) {
        let n = 0;
        const d = Object.getOwnPropertyDescriptor(target, k);
        if (d === undefined || !('value' in d)) continue;
        const honest = d.value;
        Object.defineProperty(out, k, {
          enumerable: true,
          configurable: true,
          get: () => (++n === 1 ? honest : victimPart(k, refs)),
        });
      }
      return out;
    }
    case 'revoked': {
      const { proxy, revoke } = Proxy.revocable(target, {});
      revoke();
      return proxy;
    }
    case 'nullProto':
      // Copies descriptors, so getters placed earlier are not run here.
      return Array.isArray(target)
        ? target
        : Object.defineProperties(Object.create(null), Object.getOwnPropertyDescriptors(target));
    case 'frozen':
      return Object.freeze(target);
    case 'phantomKeys':
      // Reports keys the object does not have (a Proxy may do that on an extensible target).
      return new Proxy(target, {
        ownKeys: (t) => [...Reflect.ownKeys(t), '__proto__', 'constructor', 'phantom'],
      });
  }
}

/** The victim's value for a property name, as an attacker would plant it. */
function victimPart(prop: PropertyKey, refs: RunRefs): unknown {
  switch (prop) {
    case 'key':
      return refs.ref('victimKey');
    case 'tenantId':
      return refs.ref('tenantA');
    case 'meta':
      return refs.ref('victimMeta');
    case 'cursor':
      return refs.ref('victimCursor');
    case 'outbox':
      return refs.ref('victimOutbox');
    case 'labels':
      return refs.ref('victimLabels');
    default:
      return { pwned: true };
  }
}

/**
 * Applies the mutations to `base` (a fresh, mutable object tree) and returns
 * the hostile result. Changes never go through a getter or Proxy placed by an
 * earlier change (those paths are skipped), and frozen parts are copied
 * before they are changed, so untouched parts keep their identity.
 */
export function materialise(
  base: Record<string, unknown>,
  mutations: readonly Mutation[],
  refs: RunRefs,
): unknown {
  const root: { value: unknown } = { value: base };
  const wrapped = new WeakSet<object>();
  for (const { path, action: act } of mutations) {
    const segs = path === '' ? [] : path.split('.');
    const names = ['value', ...segs];
    let parent: Record<string, unknown> = root as unknown as Record<string, unknown>;
    let ok = true;
    for (let i = 0; i < names.length - 1; i++) {
      const name = names[i] as string;
      const d = Object.getOwnPropertyDescriptor(parent, name);
      const child = d?.value;
      if (!d || !('value' in d) || !isContainer(child) || wrapped.has(child)) {
        ok = false;
        break;
      }
      let next = child;
      if (Object.isFrozen(child)) {
        next = (Array.isArray(child) ? [...child] : { ...child }) as Record<string, unknown>;
        parent[name] = next;
      }
      parent = next;
    }
    if (!ok || Object.isFrozen(parent)) continue;
    // The session itself can be replaced or wrapped; a getter needs a parent.
    if (segs.length === 0 && act.op !== 'set' && act.op !== 'wrap') continue;
    const name = names[names.length - 1] as string;
    switch (act.op) {
      case 'set': {
        const value = leafValue(act.value, refs);
        // Planted values (Proxies, revoked ones…) are never navigated into.
        if (isContainer(value)) wrapped.add(value);
        Object.defineProperty(parent, name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        break;
      }
      case 'delete':
        delete parent[name];
        break;
      case 'flip': {
        const first = leafValue(act.first, refs);
        const later = leafValue(act.later, refs);
        let n = 0;
        Object.defineProperty(parent, name, {
          enumerable: true,
          configurable: true,
          get: () => (++n === 1 ? first : later),
        });
        break;
      }
      case 'throwGetter':
        Object.defineProperty(parent, name, {
          enumerable: true,
          configurable: true,
          get: () => {
            throw new FuzzTrapError(`get ${path}`);
          },
        });
        break;
      case 'wrap': {
        const d = Object.getOwnPropertyDescriptor(parent, name);
        const target = d?.value;
        if (!d || !('value' in d) || !isContainer(target) || wrapped.has(target)) break;
        const copy = Object.isFrozen(target) && act.how !== 'frozen';
        const own = copy ? (Array.isArray(target) ? [...target] : { ...target }) : target;
        const w = wrap(own as Record<string, unknown>, act.how, refs);
        if (isContainer(w)) wrapped.add(w);
        parent[name] = w;
        break;
      }
    }
  }
  return root.value;
}

/** Evaluates every leaf of `mutations` once, so the run knows every key they can name. */
export function registerLeaves(mutations: readonly Mutation[], refs: RunRefs): void {
  for (const { action: act } of mutations) {
    if (act.op === 'set') leafValue(act.value, refs);
    if (act.op === 'flip') {
      leafValue(act.first, refs);
      leafValue(act.later, refs);
    }
  }
}
